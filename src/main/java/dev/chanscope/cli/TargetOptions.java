package dev.chanscope.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Options shared by the commands that read a core. */
final class TargetOptions {
    @Parameters(index = "0", paramLabel = "CORE",
            description = "The core dump: plain, or compressed (gz, xz, zstd, bz2, lz4), or a tar/zip bundle "
                    + "holding the core and the binary. Recognised by content, not by name.")
    Path core;

    @Option(names = {"-b", "--binary"}, paramLabel = "BIN",
            description = "The executable that produced the core. Default: the binary inside a bundle, "
                    + "else the path the core records, when it exists.")
    Path binary;

    @Option(names = "--force", description = "Analyze even when the binary's build id does not match the core's.")
    boolean force;

    @Option(names = "--max-core-size", paramLabel = "BYTES", defaultValue = "68719476736",
            description = "Refuse to decompress an input beyond this size (default ${DEFAULT-VALUE}: 64 GiB).")
    long maxCoreSize;
}
