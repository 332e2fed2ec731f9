package dev.chanscope.live;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Where a {@code --snapshot} core goes, and in what format: the file name's extension decides
 * ({@code .zst}/{@code .zstd}, {@code .xz}, {@code .gz}; anything else is a plain, sparse core).
 * The core is first written uncompressed next to the destination while the process is held,
 * and compressed after chanscope detached, so compression never extends the pause.
 */
public final class LiveCoreFile {
    public enum Format {
        ZSTD("zstd"), XZ("xz"), GZIP("gzip"), PLAIN("plain");

        private final String id;

        Format(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Path destination;
    private final Format format;

    public LiveCoreFile(Path destination) {
        this.destination = destination.toAbsolutePath().normalize();
        this.format = formatOf(destination.getFileName().toString());
    }

    static Format formatOf(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".zst") || n.endsWith(".zstd")) {
            return Format.ZSTD;
        }
        if (n.endsWith(".xz")) {
            return Format.XZ;
        }
        if (n.endsWith(".gz")) {
            return Format.GZIP;
        }
        return Format.PLAIN;
    }

    public Format format() {
        return format;
    }

    public Path destination() {
        return destination;
    }

    /** Where the uncompressed core is written while attached: the destination itself when plain. */
    public Path rawPath() {
        if (format == Format.PLAIN) {
            return destination;
        }
        return destination.resolveSibling("." + destination.getFileName() + ".raw-" + ProcessHandle.current().pid());
    }

    /** Checks the destination can be written before the process is stopped for it. */
    public void checkWritable() {
        Path dir = destination.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new dev.chanscope.ChanscopeException(dev.chanscope.ExitCode.USAGE,
                    "--snapshot " + destination + ": the directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new dev.chanscope.ChanscopeException(dev.chanscope.ExitCode.USAGE,
                    "--snapshot " + destination + ": the directory " + dir + " is not writable");
        }
        if (Files.isDirectory(destination)) {
            throw new dev.chanscope.ChanscopeException(dev.chanscope.ExitCode.USAGE,
                    "--snapshot " + destination + " is a directory");
        }
    }

    /** Compresses the raw core into the destination (after detach) and removes it. Returns the destination's size. */
    public long finish() {
        Path raw = rawPath();
        try {
            if (format != Format.PLAIN) {
                Path tmp = destination.resolveSibling("." + destination.getFileName() + ".part-" + ProcessHandle.current().pid());
                try (InputStream in = Files.newInputStream(raw); OutputStream out = compressor(Files.newOutputStream(tmp))) {
                    in.transferTo(out);
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(tmp);
                    throw e;
                }
                Files.move(tmp, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(raw);
            }
            return Files.size(destination);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the snapshot " + destination + ": " + e.getMessage(), e);
        }
    }

    /** Removes a half-written raw core (the attach failed). */
    public void discard() {
        try {
            Files.deleteIfExists(rawPath());
        } catch (IOException e) {
            // nothing more to do: the file is in the user's directory, named after the snapshot
        }
    }

    private OutputStream compressor(OutputStream out) throws IOException {
        return switch (format) {
            // Level 3 and preset 3: a core is mostly zeros and pointers; speed matters more
            // during an incident than the last few percent.
            case ZSTD -> new ZstdOutputStream(out, 3);
            case XZ -> new XZOutputStream(out, new LZMA2Options(3));
            case GZIP -> new GZIPOutputStream(out, 1 << 16);
            case PLAIN -> out;
        };
    }
}
