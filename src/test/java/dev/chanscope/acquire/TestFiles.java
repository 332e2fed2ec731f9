package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Builds real input files for the tests: ELF headers, compressed streams, bundles. */
final class TestFiles {
    private TestFiles() {}

    /**
     * A minimal ELF64 little-endian header with the given e_type, followed by a body that mixes
     * random bytes and long zero runs (as real cores do) and ends in zeros, at an odd length.
     */
    static byte[] elf(int type, int bodySize, long seed) {
        ByteBuffer b = ByteBuffer.allocate(64 + bodySize).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.position(16);
        b.putShort((short) type);     // e_type
        b.putShort((short) 62);       // e_machine x86-64
        b.putInt(1);                  // e_version
        b.position(52);
        b.putShort((short) 64);       // e_ehsize
        byte[] bytes = b.array();
        Random random = new Random(seed);
        for (int i = 64; i < bytes.length; i++) {
            // 100 KiB of noise, 150 KiB of zeros, repeating: exercises the sparse copier.
            if ((i / 1024) % 250 < 100) {
                bytes[i] = (byte) random.nextInt();
            }
        }
        return bytes;
    }

    static byte[] core() {
        return elf(ElfHeader.ET_CORE, 300_001, 1);
    }

    static byte[] program() {
        return elf(ElfHeader.ET_EXEC, 70_000, 2);
    }

    enum Codec { GZIP, XZ, ZSTD, BZIP2, LZ4 }

    static byte[] compress(Codec codec, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = compressor(codec, bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static OutputStream compressor(Codec codec, OutputStream out) throws IOException {
        return switch (codec) {
            case GZIP -> new GzipCompressorOutputStream(out);
            case XZ -> new XZOutputStream(out, new LZMA2Options(1));
            // with a checksum, like the zstd tool; without it some damage decodes silently
            case ZSTD -> new ZstdOutputStream(out, 3).setChecksum(true);
            case BZIP2 -> new BZip2CompressorOutputStream(out, 1);
            case LZ4 -> new FramedLZ4CompressorOutputStream(out);
        };
    }

    /** A tar entry to write: a regular file, or a link/device via {@code linkFlag}. */
    record TarItem(String name, byte[] data, int mode, byte linkFlag, String linkTarget) {
        static TarItem file(String name, byte[] data) {
            return new TarItem(name, data, 0644, TarArchiveEntry.LF_NORMAL, "");
        }

        static TarItem executable(String name, byte[] data) {
            return new TarItem(name, data, 0755, TarArchiveEntry.LF_NORMAL, "");
        }

        static TarItem link(String name, byte flag, String target) {
            return new TarItem(name, new byte[0], 0777, flag, target);
        }
    }

    static byte[] tar(TarItem... items) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarItem item : items) {
                // preserveAbsolutePath so hostile names really are written as given
                TarArchiveEntry entry = new TarArchiveEntry(item.name(), item.linkFlag(), true);
                entry.setMode(item.mode() | (item.linkFlag() == TarArchiveEntry.LF_SYMLINK ? 0120000 : 0100000));
                if (item.linkFlag() == TarArchiveEntry.LF_SYMLINK || item.linkFlag() == TarArchiveEntry.LF_LINK) {
                    entry.setLinkName(item.linkTarget());
                } else {
                    entry.setSize(item.data().length);
                }
                tar.putArchiveEntry(entry);
                tar.write(item.data());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @param entries name, data, name, data... */
    static byte[] zip(Object... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (int i = 0; i < entries.length; i += 2) {
                ZipArchiveEntry entry = new ZipArchiveEntry((String) entries[i]);
                zip.putArchiveEntry(entry);
                zip.write((byte[]) entries[i + 1]);
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] head(byte[] data, int length) {
        return Arrays.copyOf(data, Math.min(length, data.length));
    }

    /**
     * Runs a real command-line tool in {@code dir}. A missing tool fails the test (never skips
     * it): CI must install the packages listed in docs/inputs.md.
     */
    static void run(Path dir, String... command) {
        List<String> cmd = new ArrayList<>(List.of(command));
        Path tool = Path.of("/usr/bin", cmd.get(0));
        if (!Files.isExecutable(tool) && !Files.isExecutable(Path.of("/bin", cmd.get(0)))) {
            fail("command-line tool '" + cmd.get(0) + "' is missing; install it (see docs/inputs.md, Tests)");
        }
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish");
            }
            assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed: "
                    + new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a shell pipeline (for stdin-fed compression, which hides the size from zstd). */
    static void sh(Path dir, String script) {
        run(dir, "sh", "-c", script);
    }
}
