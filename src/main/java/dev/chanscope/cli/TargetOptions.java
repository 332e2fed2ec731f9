package dev.chanscope.cli;

import dev.chanscope.acquire.ElfKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** Options shared by the commands that read a core. */
final class TargetOptions {
    /**
     * 32 GiB: what systemd-coredump keeps of a core on 64-bit systems by default
     * (ExternalSizeMax=32G), so any core it stored unpacks; a bigger one needs the option.
     */
    static final String DEFAULT_MAX_CORE_SIZE = "32G";

    @Parameters(arity = "1..2", paramLabel = "[BIN] CORE",
            description = "The core dump: plain, or compressed (gz, xz, zstd, bz2, lz4), or a tar/zip bundle "
                    + "holding the core and the binary. Recognised by content, not by name. Given two files "
                    + "(BIN CORE, as for gdb and dlv core), the ELF types tell which is the core, in either order.")
    List<Path> files = new ArrayList<>();

    /** The core, set by {@link #resolve}. */
    Path core;

    @Option(names = {"-b", "--binary", "--exe"}, paramLabel = "BIN",
            description = "The executable that produced the core (plain or compressed). Default: the binary "
                    + "inside a bundle, else a match from --binary-search, else the path the core records "
                    + "when its build id matches.")
    Path binary;

    @Option(names = "--binary-search", paramLabel = "DIR",
            description = "Look under DIR (repeatable; " + "8 levels deep, 20,000 files at most) for the executable "
                    + "whose build id is the core's. Compressed binaries are tried too.")
    List<Path> binarySearch = new ArrayList<>();

    @Mixin
    DebugFileOptions debug = new DebugFileOptions();
    @Option(names = "--timings", description = "Print where the time went (JVM start, input, gdb, reading, diagnosis,"
            + " report) to stderr at the end.")
    boolean timings;

    @Option(names = "--force", description = "Analyze even when the binary's build id does not match the core's "
            + "(the report says so in a warning and may be wrong).")
    boolean force;

    @Option(names = "--no-cache", description = "Unpack a compressed or bundled input into a private temporary "
            + "directory deleted at the end, instead of the cache (nothing is looked up or kept).")
    boolean noCache;

    @Option(names = "--max-core-size", paramLabel = "SIZE", defaultValue = DEFAULT_MAX_CORE_SIZE,
            converter = ByteSize.class,
            description = "Refuse to decompress an input beyond SIZE bytes; suffixes K, M, G, T (powers of 1024), "
                    + "e.g. 512M, 4G (default ${DEFAULT-VALUE}).")
    long maxCoreSize;

    /**
     * Checks the paths given and sets {@link #core} (and {@link #binary}, from two positional
     * files): the ELF types decide which is which, read through compression, and a line on
     * {@code err} says what was taken for what.
     */
    void resolve(java.io.PrintWriter err) {
        if (binary != null) {
            PathCheck.file(binary, "--binary");
        }
        binarySearch.forEach(d -> PathCheck.directory(d, "--binary-search"));
        if (files.size() < 2) {
            core = files.isEmpty() ? core : files.get(0); // batch sets the core itself
            return;
        }
        if (binary != null) {
            throw usage("two files and --binary: give the binary once, as --binary BIN CORE or as BIN CORE");
        }
        Path a = files.get(0);
        Path b = files.get(1);
        PathCheck.file(a, "");
        PathCheck.file(b, "");
        ElfKind ka = kind(a);
        ElfKind kb = kind(b);
        if (ka == ElfKind.PROGRAM && kb == ElfKind.CORE) {
            binary = a;
            core = b;
        } else if (ka == ElfKind.CORE && kb == ElfKind.PROGRAM) {
            binary = b;
            core = a;
        } else {
            throw usage("cannot tell the binary from the core: " + a + " is " + ka.description() + ", " + b + " is "
                    + kb.description() + "; give --binary BIN CORE");
        }
        err.println("chanscope: executable " + binary + ", core " + core + " (from their ELF types)");
        err.flush();
    }

    private static ElfKind kind(Path p) {
        try {
            return ElfKind.of(p);
        } catch (java.io.IOException e) {
            throw new dev.chanscope.ChanscopeException(dev.chanscope.ExitCode.BAD_INPUT, "cannot read " + p + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    private static dev.chanscope.ChanscopeException usage(String message) {
        return new dev.chanscope.ChanscopeException(dev.chanscope.ExitCode.USAGE, message);
    }
    /** Not an option: batch sets one --binary-search index for all its cores; null builds one per analysis. */
    BinaryIndex binaryIndex;

    /** "512M", "4G", "16GiB", "1048576": bytes, with binary (1024) multiples. */
    static final class ByteSize implements ITypeConverter<Long> {
        private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?");

        @Override
        public Long convert(String value) {
            return parse(value);
        }

        static long parse(String value) {
            Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a size; use bytes or a number with K, M, G "
                        + "or T, e.g. 512M or 4G");
            }
            int shift = switch (m.group(2)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is too large");
            }
            if (n == 0) {
                throw new TypeConversionException("the size must be more than 0");
            }
            if (n > Long.MAX_VALUE >> shift) {
                throw new TypeConversionException("'" + value + "' is too large");
            }
            return n << shift;
        }
    }
}
