package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.debuginfo.DebugFileSearch;
import dev.chanscope.debuginfo.Debuginfod;
import dev.chanscope.elf.DebugFileLocator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Where a stripped binary's separate debug file is looked for (docs/stripped.md). Without one
 * chanscope reads the runtime with its built-in layouts; the debug file adds the program's own
 * types and symbols and makes the binary's DWARF the source of the layouts again.
 */
final class DebugFileOptions {
    static final String DEFAULT_DEBUG_DIR = "/usr/lib/debug";

    @Option(names = "--debug-file", paramLabel = "FILE",
            description = "The binary's separate debug file (objcopy --only-keep-debug); it must carry the binary's "
                    + "build id.")
    Path debugFile;

    @Option(names = "--debug-dir", paramLabel = "DIR",
            description = "Where to look for debug files by .gnu_debuglink and by build id (DIR/.build-id/xx/rest.debug); "
                    + "repeatable (default " + DEFAULT_DEBUG_DIR + ").")
    List<Path> debugDirs = new ArrayList<>();

    @Option(names = "--debuginfod", paramLabel = "URL", arity = "0..1", fallbackValue = "",
            description = "Ask this debuginfod server for the debug file by build id (off unless given; without URL, "
                    + "the servers in DEBUGINFOD_URLS). The file is kept in chanscope's cache.")
    String debuginfod;

    @Option(names = "--debuginfod-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Give up on a debuginfod server after SECONDS (default ${DEFAULT-VALUE}).")
    int debuginfodTimeout;

    /** The search these options describe; notes about failed lookups go to {@code notes}. */
    DebugFileLocator locator(Path cacheDir, Consumer<String> notes) {
        List<Path> dirs = debugDirs.isEmpty() ? List.of(Path.of(DEFAULT_DEBUG_DIR)) : debugDirs;
        Debuginfod client = new Debuginfod(cacheDir, Duration.ofSeconds(Math.max(1, debuginfodTimeout)),
                Debuginfod.DEFAULT_MAX_BYTES);
        return new DebugFileSearch(Optional.ofNullable(debugFile), dirs, servers(), client, notes);
    }

    private List<URI> servers() {
        if (debuginfod == null) {
            return List.of();
        }
        String list = debuginfod.isBlank() ? Optional.ofNullable(System.getenv("DEBUGINFOD_URLS")).orElse("") : debuginfod;
        List<URI> out = new ArrayList<>();
        for (String u : list.strip().split("\\s+")) {
            if (u.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                throw new ChanscopeException(ExitCode.USAGE, "--debuginfod: '" + u + "' is not a URL");
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ChanscopeException(ExitCode.USAGE, "--debuginfod: '" + u + "' is not an http or https URL");
            }
            out.add(uri);
        }
        if (out.isEmpty()) {
            throw new ChanscopeException(ExitCode.USAGE, "--debuginfod without a URL needs DEBUGINFOD_URLS set");
        }
        return out;
    }
}
