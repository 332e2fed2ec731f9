package dev.chanscope.live;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import dev.chanscope.fs.SafeFiles;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Where a {@code --snapshot} core goes, and in what format: the file name's extension decides
 * ({@code .zst}/{@code .zstd}, {@code .xz}, {@code .gz}; anything else is a plain, sparse core).
 * The core is first written uncompressed next to the destination while the process is held,
 * and compressed after chanscope detached, so compression never extends the pause. Every file is
 * created new and private ({@link SafeFiles}) and renamed into place.
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
    private SafeFiles.Temp raw;

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

    /**
     * Creates the file the uncompressed core is written to while attached: a new, private (0600)
     * file with an unguessable name next to the destination, never a name that could already be
     * there (a planted link is neither followed nor replaced).
     */
    public SafeFiles.Temp openRaw() throws IOException {
        if (raw != null) {
            throw new IllegalStateException("the raw core is already open");
        }
        raw = SafeFiles.createTempSibling(destination);
        return raw;
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
        SafeFiles.checkDestination(destination, "--snapshot");
    }

    /**
     * Puts the core in place (after detach): a plain core is renamed to the destination, a
     * compressed one is compressed into a second new private file that is renamed. Returns the
     * destination's size. On failure nothing is left behind and the destination is untouched.
     */
    public long finish() throws IOException {
        if (raw == null) {
            throw new IllegalStateException("no raw core was written");
        }
        try {
            if (format == Format.PLAIN) {
                raw.commit(destination);
            } else {
                try (SafeFiles.Temp out = SafeFiles.createTempSibling(destination)) {
                    try (InputStream in = Files.newInputStream(raw.path(), LinkOption.NOFOLLOW_LINKS)) {
                        OutputStream z = compressor(CloseShieldStream.of(out.stream()));
                        in.transferTo(z);
                        z.close();
                    }
                    out.commit(destination);
                }
                raw.close();
            }
            return Files.size(destination);
        } finally {
            discard();
        }
    }

    /** Removes a half-written raw core (the attach or the snapshot failed). */
    public void discard() {
        if (raw != null) {
            raw.close();
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

    /** Lets a compressor's close flush its trailer without closing the file (commit closes it). */
    private static final class CloseShieldStream extends java.io.FilterOutputStream {
        private CloseShieldStream(OutputStream out) {
            super(out);
        }

        static OutputStream of(OutputStream out) {
            return new CloseShieldStream(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
