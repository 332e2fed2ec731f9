package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sparse tar members made by GNU tar, of sizes commons-compress 1.28 could not read: a pax
 * sparse member over 2 GiB (its sizes parsed as int) and an old-GNU one over 8 GiB failed the
 * whole archive, whichever member the core was. Sparse files make these archives a few KB.
 */
class SparseTarTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path tmp;

    private final RecordingListener listener = new RecordingListener();
    private final byte[] core = TestFiles.core();
    private final byte[] program = TestFiles.program();

    private AcquiredInput acquire(Path input, long cap) {
        return new Acquirer(tmp.resolve("cache"), cap, listener).acquire(input);
    }

    private Path src() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        TestFiles.write(src.resolve("core"), core);
        TestFiles.write(src.resolve("server"), program);
        TestFiles.run(src, "chmod", "755", "server");
        return src;
    }

    /** A sparse file of {@code size} bytes: one written byte in its first MiB, holes elsewhere. */
    private static void sparseFile(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'x'}), 1_000_000);
        }
        TestFiles.run(file.getParent(), "truncate", "-s", Long.toString(size), file.getFileName().toString());
    }

    @Test
    void paxSparseMemberOver2GiBBeforeTheCore() throws IOException {
        Path src = src();
        sparseFile(src.resolve("heap.dump"), 3 * GIB);
        TestFiles.run(src, "tar", "--sparse", "--format=pax", "-cf", "../b.tar", "heap.dump", "core", "server");
        assertTrue(Files.size(tmp.resolve("b.tar")) < (4 << 20), "the tar is not sparse");
        AcquiredInput acquired = acquire(tmp.resolve("b.tar"), 64L << 20);
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertArrayEquals(program, TestFiles.read(acquired.binary().orElseThrow()));
    }

    @Test
    void oldGnuSparseMemberOver8GiBAfterTheCore() throws IOException {
        Path src = src();
        sparseFile(src.resolve("heap.dump"), 9 * GIB);
        TestFiles.run(src, "tar", "--sparse", "--format=gnu", "-cf", "../b.tar", "core", "server", "heap.dump");
        AcquiredInput acquired = acquire(tmp.resolve("b.tar"), 64L << 20);
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertArrayEquals(program, TestFiles.read(acquired.binary().orElseThrow()));
        assertEquals(java.util.List.of("tar"), acquired.layers());
    }

    /**
     * The core itself sparse, in each sparse format GNU tar writes: data, a hole, data, and a
     * hole at the end. The unpacked core must be the original byte for byte.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gnu", "pax:0.0", "pax:0.1", "pax:1.0"})
    void aSparseCoreIsUnpackedExactly(String format) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path file = src.resolve("core");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(core));
            ch.write(ByteBuffer.wrap(Arrays.copyOf(program, 20_000)), 5L << 20);
            ch.write(ByteBuffer.wrap(program), 7L << 20);
        }
        TestFiles.run(src, "truncate", "-s", Long.toString(12L << 20), "core");
        String[] f = format.split(":");
        if (f.length == 1) {
            TestFiles.run(src, "tar", "--sparse", "--format=" + f[0], "-cf", "../b.tar", "core");
        } else {
            TestFiles.run(src, "tar", "--sparse", "--format=" + f[0], "--sparse-version=" + f[1], "-cf", "../b.tar",
                    "core");
        }
        AcquiredInput acquired = acquire(tmp.resolve("b.tar"), 64L << 20);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(acquired.core()));
        assertTrue(listener.noted("core: 'core' from the tar"), listener.notes::toString);
    }

    /**
     * A core made sparse and grown past 8 GiB, in an old-GNU tar: unpacked in full (its length
     * is the member's real size), stored sparse in the cache.
     */
    @Test
    void aCoreOver8GiBIsUnpackedSparse() throws IOException {
        Path src = src();
        TestFiles.run(src, "truncate", "-s", Long.toString(9 * GIB), "core");
        TestFiles.run(src, "tar", "--sparse", "--format=gnu", "-cf", "../b.tar", "server", "core");
        AcquiredInput acquired = acquire(tmp.resolve("b.tar"), 16 * GIB);
        assertEquals(9 * GIB, Files.size(acquired.core()));
        try (InputStream in = Files.newInputStream(acquired.core())) {
            assertArrayEquals(core, in.readNBytes(core.length));
        }
        long blocks = du(acquired.core());
        assertTrue(blocks < (64L << 20), "the cached core takes " + blocks + " bytes of disk");
    }

    private long du(Path file) {
        try {
            Process p = new ProcessBuilder("du", "-B1", file.toString()).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out.split("\\s+")[0]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A sparse map that does not add up is one clear line, exit 3, not a stack trace. */
    @Test
    void aDamagedSparseMapIsCorrupt() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        sparseFile(src.resolve("core"), 3 * GIB);
        TestFiles.run(src, "tar", "--sparse", "--format=pax", "--sparse-version=0.1", "-cf", "../b.tar", "core");
        byte[] tar = Files.readAllBytes(tmp.resolve("b.tar"));
        String text = new String(tar, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("GNU.sparse.map=");
        assertTrue(at > 0, "no 0.1 sparse map in the tar");
        // "999424,4096,...": the first extent's length 4096 becomes 8096, more than the member stores
        int digit = at + "GNU.sparse.map=999424,".length();
        assertEquals('4', tar[digit]);
        tar[digit] = '8';
        Path damaged = TestFiles.write(tmp.resolve("damaged.tar"), tar);
        ChanscopeException e = assertThrows(ChanscopeException.class, () -> acquire(damaged, 16 * GIB));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(damaged + ": the tar archive is corrupt ("), e.getMessage());
    }

    /**
     * A sparse member may claim any size: a core that says it is 8 TiB is refused at once from
     * its header by --max-core-size, not after expanding 16 GiB of holes.
     */
    @Test
    void aSparseCoreOverTheCapIsRefusedFromItsHeader() throws IOException {
        Path src = src();
        TestFiles.run(src, "truncate", "-s", "8T", "core");
        TestFiles.run(src, "tar", "--sparse", "--format=pax", "-cf", "../b.tar", "core");
        long start = System.nanoTime();
        ChanscopeException e = assertThrows(ChanscopeException.class, () -> acquire(tmp.resolve("b.tar"), 16 * GIB));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "took too long: the holes were expanded");
        assertTrue(e.getMessage().contains("the core expands beyond --max-core-size"), e.getMessage());
    }
}
