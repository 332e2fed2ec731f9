package dev.chanscope.elf;

import java.nio.file.Path;

/**
 * A separate debug file found for an executable (DWARF and the symbol table that
 * {@code objcopy --only-keep-debug} kept), and how it was found, as the report says it:
 * "--debug-file", ".gnu_debuglink", "build-id tree /usr/lib/debug", "debuginfod http://...".
 */
public record DebugFile(Path path, String route) {}
