package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.acquire.TestFiles.Codec;
import dev.chanscope.acquire.TestFiles.TarItem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache: reuse, atomic entries, recovery from killed runs and damage, and the size cap. */
class AcquirerCacheTest {
    @TempDir
    Path tmp;

    private final RecordingListener listener = new RecordingListener();
    private final byte[] core = TestFiles.core();

    private Path cache() {
        return tmp.resolve("cache");
    }

    private Acquirer acquirer(long cap) {
        return new Acquirer(cache(), cap, listener);
    }

    private AcquiredInput acquire(Path input) {
        return acquirer(64L << 20).acquire(input);
    }

    private List<String> cacheNames() throws IOException {
        try (Stream<Path> entries = Files.list(cache())) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void secondAcquireReusesTheEntryWithoutRewritingIt() throws IOException {
        Path input = TestFiles.write(tmp.resolve("core.zst"), TestFiles.compress(Codec.ZSTD, core));
        AcquiredInput first = acquire(input);
        Object inode = Files.getAttribute(first.core(), "unix:ino");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(first.core(), old);
        assertFalse(listener.noted("reusing"));

        AcquiredInput second = acquire(input);
        assertEquals(first, second);
        assertEquals(inode, Files.getAttribute(second.core(), "unix:ino"));
        assertEquals(old, Files.getLastModifiedTime(second.core()));
        assertTrue(listener.noted("reusing " + input + " unpacked earlier: " + first.core().getParent()),
                listener.notes::toString);
        assertEquals(1, cacheNames().size());
    }

    @Test
    void theKeyIsTheContentNotTheName() throws IOException {
        byte[] data = TestFiles.compress(Codec.XZ, core);
        AcquiredInput a = acquire(TestFiles.write(tmp.resolve("a/core.xz"), data));
        AcquiredInput b = acquire(TestFiles.write(tmp.resolve("b/renamed"), data));
        assertEquals(a.core(), b.core());
        assertEquals(tmp.resolve("b/renamed"), b.original());

        Path replaced = TestFiles.write(tmp.resolve("a/core.xz"),
                TestFiles.compress(Codec.XZ, TestFiles.elf(ElfHeader.ET_CORE, 5000, 42)));
        assertNotEquals(a.core(), acquire(replaced).core(), "a new file under an old name is not stale");
    }

    @Test
    void bundleNotesAreRepeatedOnReuse() {
        byte[] tar = TestFiles.tar(TarItem.link("x", org.apache.commons.compress.archivers.tar.TarArchiveEntry.LF_SYMLINK,
                "/etc/passwd"), TarItem.file("core", core), TarItem.executable("server", TestFiles.program()));
        Path input = TestFiles.write(tmp.resolve("b.tar.gz"), TestFiles.compress(Codec.GZIP, tar));
        AcquiredInput first = acquire(input);
        List<String> firstNotes = List.copyOf(listener.notes);
        listener.notes.clear();
        AcquiredInput second = acquire(input);
        assertEquals(first, second);
        assertTrue(listener.notes.containsAll(firstNotes), listener.notes::toString);
        assertTrue(second.binary().isPresent());
    }

    @Test
    void entriesArePrivate() throws IOException {
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("c.gz"), TestFiles.compress(Codec.GZIP, core)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(acquired.core().getParent())));
    }

    @Test
    void leftoversOfAKilledRunAreSweptAndNeverUsed() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path abandoned = Files.createDirectories(cache().resolve(".partial-" + gone.pid() + "-123"));
        TestFiles.write(abandoned.resolve("core"), new byte[] {0x7f, 'E', 'L', 'F'});
        long alivePid = ProcessHandle.current().parent().orElseThrow().pid();
        Path working = Files.createDirectories(cache().resolve(".partial-" + alivePid + "-456"));

        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("c.gz"), TestFiles.compress(Codec.GZIP, core)));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertFalse(Files.exists(abandoned), "a dead run's partial directory is removed");
        assertTrue(Files.exists(working), "a live run's partial directory is left alone");
    }

    @Test
    void damagedEntryIsRebuilt() throws IOException {
        Path input = TestFiles.write(tmp.resolve("c.gz"), TestFiles.compress(Codec.GZIP, core));
        AcquiredInput first = acquire(input);
        try (OutputStream out = Files.newOutputStream(first.core())) {
            out.write(1); // truncates the cached core to one byte
        }
        AcquiredInput second = acquire(input);
        assertArrayEquals(core, TestFiles.read(second.core()));
        assertTrue(listener.noted("was incomplete; unpacking again"), listener.notes::toString);
    }

    @Test
    void entryWithoutManifestIsNotTrusted() throws IOException {
        Path input = TestFiles.write(tmp.resolve("c.gz"), TestFiles.compress(Codec.GZIP, core));
        AcquiredInput first = acquire(input);
        Files.delete(first.core().resolveSibling(Manifest.FILE_NAME));
        AcquiredInput second = acquire(input);
        assertArrayEquals(core, TestFiles.read(second.core()));
        assertTrue(Files.exists(second.core().resolveSibling(Manifest.FILE_NAME)));
    }

    @Test
    void aRaceToPublishTheSameInputEndsWithOneEntry() throws IOException {
        CoreCache cache = new CoreCache(cache());
        Manifest manifest = new Manifest(List.of("gzip"), "core", 3, Optional.empty(), 0, List.of());
        try (Workspace a = cache.begin(); Workspace b = cache.begin()) {
            Files.write(a.file("core"), new byte[] {1, 2, 3});
            Files.write(b.file("core"), new byte[] {1, 2, 3});
            CacheEntry first = cache.publish(a, "k", manifest);
            CacheEntry second = cache.publish(b, "k", manifest);
            assertEquals(first.dir(), second.dir());
        }
        assertEquals(List.of("k"), cacheNames(), "the loser's workspace is deleted");
    }

    @Test
    void decompressionBombStopsAtTheCap() throws IOException {
        Path input = tmp.resolve("bomb.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(input))) {
            out.write(TestFiles.head(TestFiles.core(), 64)); // an ELF core header: the sniff lets it through
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                out.write(zeros);
            }
        }
        long cap = 10L << 20;
        ChanscopeException e = assertThrows(ChanscopeException.class, () -> acquirer(cap).acquire(input));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertEquals(input + ": the core expands beyond --max-core-size " + cap + "; raise it if this core is genuine",
                e.getMessage());
        assertEquals(List.of(), cacheNames(), "the partial output is removed");
    }

    @Test
    void bombInsideABundleStopsAtTwiceTheCap() throws IOException {
        Path input = tmp.resolve("bomb.tar.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(input))) {
            out.write(TestFiles.tar(TarItem.file("junk", new byte[30 << 20])));
        }
        long cap = 10L << 20;
        ChanscopeException e = assertThrows(ChanscopeException.class, () -> acquirer(cap).acquire(input));
        assertEquals(input + ": the gzip data expands beyond twice --max-core-size " + cap
                + "; raise it if this core is genuine", e.getMessage());
    }

    @Test
    void aCoreOfExactlyTheCapFits() {
        Path input = TestFiles.write(tmp.resolve("c.xz"), TestFiles.compress(Codec.XZ, core));
        assertArrayEquals(core, TestFiles.read(acquirer(core.length).acquire(input).core()));
        Path other = TestFiles.write(tmp.resolve("d.xz"), TestFiles.compress(Codec.XZ, TestFiles.elf(4, 300_002, 1)));
        assertThrows(ChanscopeException.class, () -> acquirer(core.length).acquire(other));
    }

    @Test
    void coreEndingInZerosKeepsItsLength() {
        byte[] zeroTail = TestFiles.elf(ElfHeader.ET_CORE, 200_000, 5);
        assertEquals(0, zeroTail[zeroTail.length - 1]);
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("z.gz"), TestFiles.compress(Codec.GZIP, zeroTail)));
        assertArrayEquals(zeroTail, TestFiles.read(acquired.core()));
    }

    @Test
    void unusableCacheDirectoryIsReported() {
        Path notADir = TestFiles.write(tmp.resolve("file"), new byte[1]);
        Path input = TestFiles.write(tmp.resolve("c.gz"), TestFiles.compress(Codec.GZIP, core));
        ChanscopeException e = assertThrows(ChanscopeException.class,
                () -> new Acquirer(notADir.resolve("cache"), 1L << 30, ProgressListener.NONE).acquire(input));
        assertTrue(e.getMessage().startsWith(input + ": cannot use the cache directory " + notADir.resolve("cache")),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; set CHANSCOPE_CACHE to a writable directory"), e.getMessage());
    }

    @Test
    void plainCoreNeedsNoCache() {
        Path input = TestFiles.write(tmp.resolve("core"), core);
        acquire(input);
        assertFalse(Files.exists(cache()));
    }

    @Test
    void defaultCacheDirectory() {
        assertEquals(Path.of("/c"), Acquirer.defaultCacheDir(Map.of("CHANSCOPE_CACHE", "/c", "XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/x/chanscope"), Acquirer.defaultCacheDir(Map.of("XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/h/.cache/chanscope"), Acquirer.defaultCacheDir(Map.of("XDG_CACHE_HOME", "rel"), "/h"));
        assertEquals(Path.of("/h/.cache/chanscope"), Acquirer.defaultCacheDir(Map.of(), "/h"));
        assertTrue(Acquirer.defaultCacheDir().isAbsolute() || System.getenv("CHANSCOPE_CACHE") != null);
    }

    /**
     * A user without a home in passwd (a container's arbitrary uid) has user.home "?": the old
     * code made a relative "?/.cache/chanscope" in the working directory and ignored $HOME.
     */
    @Test
    void defaultCacheDirectoryHonoursHomeWithoutAPasswdEntry() {
        assertEquals(Path.of("/home/app/.cache/chanscope"), Acquirer.defaultCacheDir(Map.of("HOME", "/home/app"), "?"));
        assertEquals(Path.of("/x/chanscope"), Acquirer.defaultCacheDir(Map.of("HOME", "/home/app", "XDG_CACHE_HOME", "/x"), "?"));
        assertEquals(Path.of("/home/app/.cache/chanscope"), Acquirer.defaultCacheDir(Map.of("HOME", "/home/app"), "/h"));
        Path none = Acquirer.defaultCacheDir(Map.of("HOME", "relative"), "?");
        assertTrue(none.isAbsolute(), none.toString());
        assertTrue(none.getFileName().toString().startsWith("chanscope-cache-"), none.toString());
    }

    /** A new entry over the limit evicts the least recently used entries, never the one in use; a hit counts as a use. */
    @Test
    void theCacheIsKeptUnderItsLimitLeastRecentlyUsedFirst() throws Exception {
        Path[] inputs = new Path[3];
        for (int i = 0; i < 3; i++) {
            inputs[i] = TestFiles.write(tmp.resolve("core" + i + ".zst"),
                    TestFiles.compress(Codec.ZSTD, TestFiles.elf(ElfHeader.ET_CORE, 300_001, 10 + i)));
        }
        long entry = 300_065 + 200; // the core plus its manifest, about
        Acquirer a = new Acquirer(cache(), 64L << 20, listener, true, 2 * entry + entry / 2);
        Path first = a.acquire(inputs[0]).core().getParent();
        Thread.sleep(50); // file times are coarse (a jiffy): keep the uses apart
        Path second = a.acquire(inputs[1]).core().getParent();
        Thread.sleep(50);
        assertEquals(first, a.acquire(inputs[0]).core().getParent()); // a hit: core0 is now the most recent
        Thread.sleep(50);
        Path third = a.acquire(inputs[2]).core().getParent();
        assertTrue(Files.isDirectory(first), "used recently, kept");
        assertFalse(Files.exists(second), "least recently used, evicted");
        assertTrue(Files.isDirectory(third), "the entry in use is never evicted");
        assertTrue(listener.noted("cache over its limit"), listener.notes::toString);

        Acquirer.PruneResult r = Acquirer.prune(cache(), 0);
        assertEquals(2, r.entriesBefore());
        assertEquals(2, r.deleted());
        assertFalse(Files.exists(first));
        assertFalse(Files.exists(third));
    }

    /** --no-cache: nothing is looked up or kept; close() deletes what the run unpacked. */
    @Test
    void noCacheKeepsNothing() throws Exception {
        Path input = TestFiles.write(tmp.resolve("core.zst"), TestFiles.compress(Codec.ZSTD, core));
        Path unpacked;
        try (Acquirer a = new Acquirer(cache(), 64L << 20, listener, false, Acquirer.DEFAULT_CACHE_LIMIT)) {
            unpacked = a.acquire(input).core();
            assertArrayEquals(core, Files.readAllBytes(unpacked));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(unpacked)));
        }
        assertFalse(Files.exists(unpacked));
        assertEquals(List.of(), cacheNames());
    }

    /** Every file of an entry is private (0600) from its creation: a core holds the process's secrets. */
    @Test
    void entryFilesArePrivate() throws Exception {
        Path input = TestFiles.write(tmp.resolve("b.tar.gz"), TestFiles.compress(Codec.GZIP, TestFiles.tar(
                TarItem.file("core", core), TarItem.executable("server", TestFiles.program()))));
        AcquiredInput in = acquire(input);
        for (Path f : List.of(in.core(), in.binary().orElseThrow(), in.core().resolveSibling("manifest.properties"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
    }

    /** A cache directory another user made (a shared /tmp fallback planted in advance) is refused, not used. */
    @Test
    void aCacheDirectoryOfAnotherUserIsRefused() throws Exception {
        Files.createDirectories(cache());
        Files.setPosixFilePermissions(cache(), PosixFilePermissions.fromString("rwxrwxrwx"));
        Path input = TestFiles.write(tmp.resolve("core.zst"), TestFiles.compress(Codec.ZSTD, core));
        ChanscopeException e = assertThrows(ChanscopeException.class, () -> acquire(input));
        assertTrue(e.getMessage().contains("can be written by other users (mode 777)"), e.getMessage());
        assertEquals(List.of(), cacheNames());
    }
}
