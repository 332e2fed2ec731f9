package dev.chanscope.elf;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the separate debug file of an executable that has no DWARF (docs/stripped.md). The
 * command line builds one from its options; a target asks it only for a binary without DWARF.
 */
@FunctionalInterface
public interface DebugFileLocator {
    /** Looks nowhere. */
    DebugFileLocator NONE = (exe, path, name) -> Optional.empty();

    /**
     * @param exe  the executable, opened
     * @param path its file
     * @param name the executable as the user knows it (for messages)
     * @throws dev.chanscope.ChanscopeException when a debug file the user named does not fit
     */
    Optional<DebugFile> locate(ElfFile exe, Path path, String name);
}
