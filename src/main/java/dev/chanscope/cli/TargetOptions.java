package dev.chanscope.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
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

    @Parameters(index = "0", paramLabel = "CORE",
            description = "The core dump: plain, or compressed (gz, xz, zstd, bz2, lz4), or a tar/zip bundle "
                    + "holding the core and the binary. Recognised by content, not by name.")
    Path core;

    @Option(names = {"-b", "--binary"}, paramLabel = "BIN",
            description = "The executable that produced the core (plain or compressed). Default: the binary "
                    + "inside a bundle, else a match from --binary-search, else the path the core records "
                    + "when its build id matches.")
    Path binary;

    @Option(names = "--binary-search", paramLabel = "DIR",
            description = "Look under DIR (repeatable; " + "8 levels deep, 20,000 files at most) for the executable "
                    + "whose build id is the core's. Compressed binaries are tried too.")
    List<Path> binarySearch = new ArrayList<>();

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
