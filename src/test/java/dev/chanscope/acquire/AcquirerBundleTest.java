package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.acquire.TestFiles.Codec;
import dev.chanscope.acquire.TestFiles.TarItem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar and zip bundles: picking the core and the program, nesting, and the safety rules. */
class AcquirerBundleTest {
    private static final long CAP = 64L << 20;

    @TempDir
    Path tmp;

    private final RecordingListener listener = new RecordingListener();
    private final byte[] core = TestFiles.core();
    private final byte[] program = TestFiles.program();

    private AcquiredInput acquire(Path input) {
        return new Acquirer(tmp.resolve("cache"), CAP, listener).acquire(input);
    }

    private ChanscopeException failure(Path input) {
        ChanscopeException e = assertThrows(ChanscopeException.class, () -> acquire(input));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private void assertCoreAndProgram(AcquiredInput acquired) {
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertArrayEquals(program, TestFiles.read(acquired.binary().orElseThrow()));
    }

    @Test
    void tarZstWithCoreAndBinary() {
        byte[] tar = TestFiles.tar(TarItem.file("README", "crash of server\n".getBytes(StandardCharsets.UTF_8)),
                TarItem.executable("bin/server", program), TarItem.file("core.1234", core));
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("bundle.tar.zst"),
                TestFiles.compress(Codec.ZSTD, tar)));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("zstd", "tar"), acquired.layers());
        assertTrue(listener.noted("core: 'core.1234' from the tar"), listener.notes::toString);
        assertTrue(listener.noted("executable: 'bin/server' from the tar"), listener.notes::toString);
        // members are stored under generated names, never their own
        assertEquals(Path.of("core"), acquired.core().getFileName());
        assertEquals(Path.of("binary"), acquired.binary().orElseThrow().getFileName());
    }

    @Test
    void tarZstMadeByGnuTarAndZstd() {
        TestFiles.write(tmp.resolve("src/core.1234"), core);
        TestFiles.write(tmp.resolve("src/server"), program);
        TestFiles.run(tmp.resolve("src"), "chmod", "755", "server");
        // GNU tar's default format writes the old GNU magic "ustar  \0"
        TestFiles.sh(tmp.resolve("src"), "tar -cf - core.1234 server | zstd -q -c > ../bundle.tar.zst");
        AcquiredInput acquired = acquire(tmp.resolve("bundle.tar.zst"));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("zstd", "tar"), acquired.layers());
    }

    @Test
    void posixTarWithGzipMadeByTar() {
        TestFiles.write(tmp.resolve("src/core"), core);
        TestFiles.write(tmp.resolve("src/server"), program);
        TestFiles.run(tmp.resolve("src"), "tar", "--format=posix", "-czf", "../bundle.tgz", "server", "core");
        AcquiredInput acquired = acquire(tmp.resolve("bundle.tgz"));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("gzip", "tar"), acquired.layers());
    }

    @Test
    void tarHoldingACompressedCore() {
        byte[] tar = TestFiles.tar(TarItem.file("core.zst", TestFiles.compress(Codec.ZSTD, core)),
                TarItem.executable("server", program));
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("tar", "zstd"), acquired.layers());
    }

    @Test
    void zipWithXzCore() {
        byte[] zip = TestFiles.zip("notes.txt", "hello".getBytes(StandardCharsets.UTF_8),
                "core.xz", TestFiles.compress(Codec.XZ, core), "server", program);
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("support-bundle.zip"), zip));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("zip", "xz"), acquired.layers());
    }

    @Test
    void zipMadeByZipWithXzCore() {
        TestFiles.write(tmp.resolve("src/core"), core);
        TestFiles.write(tmp.resolve("src/server"), program);
        TestFiles.run(tmp.resolve("src"), "xz", "core");
        TestFiles.run(tmp.resolve("src"), "zip", "-q", "../bundle.zip", "core.xz", "server");
        AcquiredInput acquired = acquire(tmp.resolve("bundle.zip"));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("zip", "xz"), acquired.layers());
    }

    @Test
    void compressedZipIsWrittenOutThenRead() {
        byte[] zip = TestFiles.zip("core", core, "server", program);
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("b.zip.gz"), TestFiles.compress(Codec.GZIP, zip)));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("gzip", "zip"), acquired.layers());
        try (Stream<Path> files = Files.list(acquired.core().getParent())) {
            assertEquals(List.of("binary", "core", "manifest.properties"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void bundleInsideABundle() {
        byte[] inner = TestFiles.compress(Codec.GZIP, TestFiles.tar(TarItem.file("core", core)));
        byte[] zip = TestFiles.zip("case-42/bundle.tar.gz", inner, "case-42/server", program);
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("case.zip"), zip));
        assertCoreAndProgram(acquired);
        assertEquals(List.of("zip", "gzip", "tar"), acquired.layers());
        assertTrue(listener.noted("core: 'case-42/bundle.tar.gz/core' from the zip"), listener.notes::toString);
    }

    @Test
    void bundleWithoutCoreListsWhatItHolds() {
        byte[] tar = TestFiles.tar(TarItem.file("README", new byte[10]), TarItem.executable("server", program),
                TarItem.file("logs/app.log", new byte[100]));
        ChanscopeException e = failure(TestFiles.write(tmp.resolve("b.tar.gz"), TestFiles.compress(Codec.GZIP, tar)));
        assertEquals(tmp.resolve("b.tar.gz") + ": no core found in the tar: it holds 3 files (README, server, "
                + "logs/app.log); expected an ELF core file (e_type ET_CORE)", e.getMessage());
    }

    @Test
    void longListingsAreCut() {
        List<TarItem> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            items.add(TarItem.file("file" + i, new byte[1]));
        }
        ChanscopeException e = failure(TestFiles.write(tmp.resolve("b.tar"), TestFiles.tar(items.toArray(TarItem[]::new))));
        assertTrue(e.getMessage().contains("it holds 20 files (file0, file1, file2, file3, file4, file5, file6, file7, …)"),
                e.getMessage());
    }

    @Test
    void emptyZipHasNoCore() {
        ChanscopeException e = failure(TestFiles.write(tmp.resolve("empty.zip"), TestFiles.zip()));
        assertTrue(e.getMessage().endsWith("no core found in the zip: it holds 0 files; expected an ELF core file "
                + "(e_type ET_CORE)"), e.getMessage());
    }

    @Test
    void theProgramIsPreferredOverSharedLibraries() {
        byte[] library = TestFiles.elf(ElfHeader.ET_DYN, 5000, 3);
        byte[] pie = TestFiles.elf(ElfHeader.ET_DYN, 6000, 4);
        byte[] tar = TestFiles.tar(TarItem.executable("lib/libc.so.6", library), TarItem.executable("app", pie),
                TarItem.file("core", core), TarItem.executable("lib/libpthread.so", library));
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertArrayEquals(pie, TestFiles.read(acquired.binary().orElseThrow()));
    }

    @Test
    void anEtExecBeatsAPositionIndependentOne() {
        byte[] pie = TestFiles.elf(ElfHeader.ET_DYN, 6000, 4);
        byte[] tar = TestFiles.tar(TarItem.executable("helper", pie), TarItem.file("server", program),
                TarItem.file("core", core));
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertArrayEquals(program, TestFiles.read(acquired.binary().orElseThrow()));
        // The other program is kept as a second candidate: the build ids decide once the core is open.
        assertEquals(List.of("server", "helper"), acquired.binaries().stream().map(AcquiredInput.Candidate::member).toList());
        assertArrayEquals(pie, TestFiles.read(acquired.binaries().get(1).file()));
        try (Stream<Path> files = Files.list(acquired.core().getParent())) {
            assertEquals(4, files.count(), "core, binary, binary-alt-1, manifest");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Reused from the cache: the same candidates.
        AcquiredInput again = acquire(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertEquals(acquired.binaries(), again.binaries());
    }

    @Test
    void tarCutAfterTheCoreStillGivesTheCore() {
        byte[] tar = TestFiles.tar(TarItem.file("core", core), TarItem.executable("server", program));
        int coreEnd = 512 + (core.length + 511) / 512 * 512;
        // between the members; inside the program's header; inside the program's data
        for (int length : new int[] {coreEnd, coreEnd + 100, coreEnd + 512 + 1000}) {
            listener.notes.clear();
            Path input = TestFiles.write(tmp.resolve("b" + length + ".tar"), java.util.Arrays.copyOf(tar, length));
            AcquiredInput acquired = acquire(input);
            assertArrayEquals(core, TestFiles.read(acquired.core()));
            assertEquals(Optional.empty(), acquired.binary(), "a cut program is not offered");
            assertTrue(listener.noted("the tar archive ends early: the file is truncated (" + length
                    + " bytes); the core comes before the cut and is complete"), listener.notes::toString);
            try (Stream<Path> files = Files.list(acquired.core().getParent())) {
                assertEquals(List.of("core", "manifest.properties"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void compressedTarCutAfterTheCore() {
        // a large program, so the cut falls in zstd blocks after the ones holding the core
        byte[] bigProgram = TestFiles.elf(ElfHeader.ET_EXEC, 600_000, 8);
        byte[] tar = TestFiles.tar(TarItem.file("core", core), TarItem.executable("server", bigProgram));
        byte[] zst = TestFiles.compress(Codec.ZSTD, tar);
        Path input = TestFiles.write(tmp.resolve("b.tar.zst"), java.util.Arrays.copyOf(zst, zst.length - 2000));
        AcquiredInput acquired = acquire(input);
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertTrue(listener.noted("the zstd stream ends early: the file is truncated"), listener.notes::toString);
    }

    @Test
    void damagedMembersThatAreNotTheCoreAreSkipped() {
        byte[] log = TestFiles.compress(Codec.GZIP, new byte[200_000]);
        byte[] cutLog = java.util.Arrays.copyOf(log, 12);             // fails while peeking
        byte[] cutProgram = java.util.Arrays.copyOf(TestFiles.compress(Codec.XZ, program), 20_000); // fails while copying
        byte[] corruptLog = TestFiles.compress(Codec.BZIP2, new byte[1000]);
        corruptLog[20] ^= 0x55;
        byte[] tar = TestFiles.tar(TarItem.file("core", core), TarItem.file("logs/app.log.gz", cutLog),
                TarItem.executable("server.xz", cutProgram), TarItem.file("logs/old.log.bz2", corruptLog));
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertEquals(Optional.empty(), acquired.binary());
        assertTrue(listener.noted("member 'logs/app.log.gz' of the tar: the gzip stream ends early: it was cut short "
                + "before it was put into the tar; skipped it"), listener.notes::toString);
        assertTrue(listener.noted("member 'server.xz' of the tar: the xz stream ends early"), listener.notes::toString);
        assertTrue(listener.noted("member 'logs/old.log.bz2' of the tar: the bzip2 stream is corrupt"),
                listener.notes::toString);
        try (Stream<Path> files = Files.list(acquired.core().getParent())) {
            assertEquals(List.of("core", "manifest.properties"), files.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void withNoCoreTheDamagedMemberIsNamed() {
        byte[] cutCore = java.util.Arrays.copyOf(TestFiles.compress(Codec.GZIP, core), 12);
        byte[] tar = TestFiles.tar(TarItem.file("README", new byte[3]), TarItem.file("core.gz", cutCore));
        ChanscopeException e = failure(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertTrue(e.getMessage().endsWith("expected an ELF core file (e_type ET_CORE); unreadable: member 'core.gz' "
                + "of the tar: the gzip stream ends early: it was cut short before it was put into the tar"), e.getMessage());
    }

    @Test
    void coreWithoutProgram() {
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("b.tar"), TestFiles.tar(TarItem.file("core", core))));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertEquals(Optional.empty(), acquired.binary());
    }

    @Test
    void aSecondCoreIsNotedAndIgnored() {
        byte[] other = TestFiles.elf(ElfHeader.ET_CORE, 1000, 9);
        byte[] tar = TestFiles.tar(TarItem.file("core.1", core), TarItem.file("core.2", other));
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertTrue(listener.noted("found a second core, 'core.2'; using the first, 'core.1'"), listener.notes::toString);
    }

    @Test
    void hostileTarEntriesAreSkippedAndNothingLandsOutside() throws IOException {
        String absolute = "/tmp/chanscope-escape-" + UUID.randomUUID();
        byte[] decoy = TestFiles.elf(ElfHeader.ET_CORE, 500, 7);
        byte[] tar = TestFiles.tar(
                TarItem.file("../escape", decoy),
                TarItem.file("a/../../escape2", decoy),
                TarItem.file(absolute, decoy),
                TarItem.link("core", TarArchiveEntry.LF_SYMLINK, "/etc/passwd"),
                TarItem.link("core.hard", TarArchiveEntry.LF_LINK, "../escape"),
                TarItem.link("dev-null", TarArchiveEntry.LF_CHR, ""),
                TarItem.link("fifo", TarArchiveEntry.LF_FIFO, ""),
                TarItem.file("good/core", core));
        Path input = TestFiles.write(tmp.resolve("in/hostile.tar"), tar);
        AcquiredInput acquired = acquire(input);

        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertTrue(listener.noted("skipped tar member '../escape': its path contains '..'"), listener.notes::toString);
        assertTrue(listener.noted("skipped tar member 'a/../../escape2': its path contains '..'"), listener.notes::toString);
        assertTrue(listener.noted("skipped tar member '" + absolute + "': its path is absolute"), listener.notes::toString);
        assertTrue(listener.noted("skipped tar member 'core': a symbolic link to '/etc/passwd' (links are not followed)"),
                listener.notes::toString);
        assertTrue(listener.noted("skipped tar member 'core.hard': a hard link"), listener.notes::toString);
        assertTrue(listener.noted("skipped tar member 'dev-null': a device file"), listener.notes::toString);
        assertTrue(listener.noted("skipped tar member 'fifo': a named pipe"), listener.notes::toString);

        assertFalse(Files.exists(Path.of(absolute)));
        assertOnlyInputAndCache(input);
    }

    @Test
    void hostileZipEntriesAreSkipped() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry link = new ZipArchiveEntry("core");
            link.setUnixMode(0120777);
            zip.putArchiveEntry(link);
            zip.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            for (String name : List.of("../escape", "/abs/core", "C:\\Windows\\core", "ok/core")) {
                zip.putArchiveEntry(new ZipArchiveEntry(name));
                zip.write(name.equals("ok/core") ? core : TestFiles.elf(ElfHeader.ET_CORE, 100, 5));
                zip.closeArchiveEntry();
            }
        }
        Path input = TestFiles.write(tmp.resolve("in/hostile.zip"), bytes.toByteArray());
        AcquiredInput acquired = acquire(input);
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertTrue(listener.noted("skipped zip member 'core': a symbolic link"), listener.notes::toString);
        assertTrue(listener.noted("skipped zip member '../escape': its path contains '..'"), listener.notes::toString);
        assertTrue(listener.noted("skipped zip member '/abs/core': its path is absolute"), listener.notes::toString);
        // commons-compress turns DOS separators into '/'
        assertTrue(listener.noted("skipped zip member 'C:/Windows/core': its path is absolute"), listener.notes::toString);
        assertOnlyInputAndCache(input);
    }

    @Test
    void aBundleOfOnlyUnsafeMembersHasNoCore() {
        byte[] tar = TestFiles.tar(TarItem.file("../core", core), TarItem.link("core", TarArchiveEntry.LF_SYMLINK, "../core"));
        ChanscopeException e = failure(TestFiles.write(tmp.resolve("b.tar"), tar));
        assertTrue(e.getMessage().contains("no core found in the tar: it holds 2 files (../core, core)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; 2 unsafe or link member(s) were skipped"), e.getMessage());
    }

    @Test
    void memberCountIsCapped() {
        TarItem[] items = new TarItem[Extraction.MAX_MEMBERS + 1];
        for (int i = 0; i < Extraction.MAX_MEMBERS; i++) {
            items[i] = TarItem.file("f" + i, new byte[0]);
        }
        items[Extraction.MAX_MEMBERS] = TarItem.file("core", core);
        ChanscopeException e = failure(TestFiles.write(tmp.resolve("many.tar"), TestFiles.tar(items)));
        assertTrue(e.getMessage().endsWith("; searched only the first 10000 members"), e.getMessage());
    }

    @Test
    void nestingDeeperThanFourIsRefused() {
        byte[] data = TestFiles.tar(TarItem.file("core", core));
        for (int i = 0; i < 4; i++) {
            data = TestFiles.compress(Codec.GZIP, data);
        }
        ChanscopeException e = failure(TestFiles.write(tmp.resolve("deep"), data));
        assertTrue(e.getMessage().endsWith("nested more than 4 containers deep (gzip → gzip → gzip → gzip → tar); "
                + "unpack some layers by hand"), e.getMessage());
    }

    /** Everything under the test directory is the input or inside the cache. */
    private void assertOnlyInputAndCache(Path input) throws IOException {
        Path cache = tmp.resolve("cache");
        try (Stream<Path> all = Files.walk(tmp)) {
            List<Path> stray = all.filter(p -> !Files.isDirectory(p))
                    .filter(p -> !p.equals(input) && !p.startsWith(cache))
                    .collect(Collectors.toList());
            assertEquals(List.of(), stray);
        }
        assertFalse(Files.exists(tmp.resolve("escape")));
        assertFalse(Files.exists(tmp.resolve("in/escape")));
        assertFalse(Files.exists(cache.resolveSibling("escape")));
    }
}
