package dev.chanscope.inputs;

import static dev.chanscope.inputs.Inputs.assertOneLineError;
import static dev.chanscope.inputs.Inputs.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and wrong inputs through the command line: each gives one clear line and its exit
 * code, or a report marked partial when the analysis can go on.
 */
class DamagedInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    // ---- stripped binary ----

    @Test
    void aStrippedBinaryWithoutItsBuildInformationIsRefusedBeforeGdbStarts() throws Exception {
        // A stripped binary is read with the built-in layouts of the Go release its build
        // information names (docs/stripped.md); without that section nothing says which.
        SampleCores.Entry e = SampleCores.all().stream()
                .filter(x -> x.build().equals("stripped") && x.name().equals("double-close")).findFirst().orElseThrow();
        Path bare = tmp.resolve("double-close-bare");
        Inputs.exec(tmp, "objcopy", "--remove-section", ".go.buildinfo", e.binary().toString(), bare.toString());
        Map<String, String> noGdb = Map.of("CHANSCOPE_GDB", tmp.resolve("no-such-gdb").toString());
        Inputs.Run r = run(tmp, noGdb, null, "analyze", "--binary", bare.toString(), e.coreXz().toString());
        assertOneLineError(r, 3, "binary " + bare + " has no debug information and no Go build information",
                "pass its debug file or the unstripped build");
    }

    @Test
    void aDashSDashWRebuildIsAnotherBuildOfTheUnstrippedCore() throws Exception {
        // -ldflags is part of the link: the -s -w rebuild of the same source has another build id.
        SampleCores.Entry e = SampleCores.get(Inputs.STRIPPED_GO, "double-close");
        Path stripped = Inputs.strippedBinary(tmp);
        Inputs.Run r = run(tmp, "analyze", "--binary", stripped.toString(), e.coreXz().toString());
        assertOneLineError(r, 4, "binary " + stripped, "does not match core");
    }

    // ---- truncated cores ----

    @Test
    void aCoreCutAtHalfIsAPartialReportThatStillFindsThePanic() throws Exception {
        for (SampleCores.Entry e : List.of(Inputs.newest("multi-closer"), Inputs.oldest("multi-closer"))) {
            long size = Files.size(e.core());
            Path half = Inputs.cut(e.core(), size / 2, tmp.resolve("half-" + e.goVersion()));
            Inputs.Run r = run(tmp, "analyze", "--json", "--binary", e.binaryXz().toString(), half.toString());
            assertEquals(1, r.exit(), e + ": " + r.err());
            assertEquals("", r.err());
            JsonNode j = JSON.readTree(r.out());
            assertTrue(j.get("partial").asBoolean());
            assertEquals("the core is truncated: " + size / 2 + " of " + size + " bytes present",
                    j.get("warnings").get(0).asText().replaceFirst(" \\(memory past.*", ""));
            assertEquals(e.truth().panicMessage(), j.at("/panic/message").asText(), e.toString());
            assertEquals(e.traceback().panicking().orElseThrow().id(), j.at("/panic/goroutine").asLong(), e.toString());
            Inputs.Run text = run(tmp, "analyze", "--binary", e.binaryXz().toString(), half.toString());
            assertEquals(1, text.exit());
            assertTrue(text.out().contains("PANIC: send on closed channel"), text.out());
            assertTrue(text.out().contains("WARNINGS"), text.out());
        }
    }

    @Test
    void aCoreCutInsideRuntimeAllgsIsOneLineSayingWhereItWasCut() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        long array = allgsArray(e);
        long at;
        try (ElfFile core = ElfFile.open(e.core())) {
            at = Inputs.fileOffset(core, array);
        }
        Path cut = Inputs.cut(e.core(), at, tmp.resolve("core"));
        Inputs.Run r = run(tmp, "analyze", "--binary", e.binaryXz().toString(), cut.toString());
        assertOneLineError(r, 3, cut + " is truncated at " + at + " of " + Files.size(e.core()) + " bytes",
                "runtime.allgs", "no goroutine can be listed");
    }

    @Test
    void aCoreCutBetweenAllgsAndSomeGoroutinesListsTheRestWithWarnings() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        List<Long> gOffsets = new ArrayList<>();
        long arrayEnd;
        try (ElfFile core = ElfFile.open(e.core())) {
            long array = allgsArray(e);
            int n = (int) le(core.readVirtual(allgsSymbol(e) + 8, 8).orElseThrow()).getLong();
            ByteBuffer ptrs = le(core.readVirtual(array, 8 * n).orElseThrow());
            for (int i = 0; i < n; i++) {
                gOffsets.add(Inputs.fileOffset(core, ptrs.getLong(8 * i)));
            }
            arrayEnd = Inputs.fileOffset(core, array) + 8L * n;
        }
        long last = gOffsets.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(last > arrayEnd, "this core keeps some g structs after the allgs array");
        Path cut = Inputs.cut(e.core(), last, tmp.resolve("core"));
        Inputs.Run r = run(tmp, "goroutines", "--json", "--binary", e.binaryXz().toString(), cut.toString());
        assertEquals(1, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        long lost = gOffsets.stream().filter(o -> o >= last).count();
        assertEquals(gOffsets.size() - lost, j.get("goroutines").size());
        List<String> warnings = new ArrayList<>();
        j.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertEquals(lost, warnings.stream().filter(w -> w.contains(": g unreadable (core truncated?)")).count(),
                warnings.toString());
    }

    @Test
    void aCoreCutInsideItsNotesIsOneLine() throws Exception {
        SampleCores.Entry e = Inputs.newest("double-close");
        Path cut = Inputs.cut(e.core(), 4000, tmp.resolve("core"));
        Inputs.Run r = run(tmp, "analyze", "--binary", e.binaryXz().toString(), cut.toString());
        assertOneLineError(r, 3, cut + " is truncated at 4000 of ", "inside its notes");
        Path tiny = Inputs.cut(e.core(), 40, tmp.resolve("tiny"));
        assertOneLineError(run(tmp, "analyze", "--binary", e.binaryXz().toString(), tiny.toString()), 3, "truncated");
    }

    // ---- corrupted headers ----

    @Test
    void corruptedHeadersAreOneLine() throws Exception {
        SampleCores.Entry e = Inputs.newest("double-close");
        String bin = e.binaryXz().toString();

        Path garbage = damaged(e, "garbage", (b, f) -> {
            for (int i = 0; i < 64; i++) {
                b.put(i, (byte) (i * 37 + 11));
            }
        });
        assertOneLineError(run(tmp, "analyze", "--binary", bin, garbage.toString()), 3, garbage + " is not an ELF file");

        Path phoff = damaged(e, "phoff", (b, f) -> b.putLong(32, 0x7fff_ffff_0000L));
        assertOneLineError(run(tmp, "analyze", "--binary", bin, phoff.toString()), 3,
                phoff + " has a damaged ELF header", "program headers would start at byte " + 0x7fff_ffff_0000L);

        Path phnum = damaged(e, "phnum", (b, f) -> b.putShort(56, (short) 0xfff0));
        assertOneLineError(run(tmp, "analyze", "--binary", bin, phnum.toString()), 3, phnum + " is damaged",
                "which no core has");

        Path notes = damaged(e, "notes", (b, f) -> {
            ElfFile.Segment note = f.segments().stream().filter(s -> s.type() == ElfFile.PT_NOTE).findFirst().orElseThrow();
            for (int i = 0; i < 1024; i++) {
                b.put((int) note.offset() + i, (byte) 0);
            }
        });
        assertOneLineError(run(tmp, "analyze", "--binary", bin, notes.toString()), 3, notes + " is damaged",
                "gdb cannot open it as a core");
    }

    @Test
    void anEmptyFileAndAnElfThatIsNotACoreAreOneLine() throws Exception {
        SampleCores.Entry e = Inputs.newest("double-close");
        Path empty = Files.createFile(tmp.resolve("core"));
        assertOneLineError(run(tmp, "analyze", "--binary", e.binaryXz().toString(), empty.toString()), 3, "empty");
        assertOneLineError(run(tmp, "analyze", e.binaryXz().toString()), 3, e.binaryXz() + " is an ELF executable",
                "not a core dump");
    }

    // ---- a core of a C program ----

    @Test
    void aCoreOfACProgramIsNotGoAndNoGoBinaryMatchesIt() throws Exception {
        Inputs.CCore c = Inputs.cCore(tmp.resolve("c"), "");
        assertOneLineError(run(tmp, "analyze", "--binary", c.binary().toString(), c.core().toString()), 3,
                "binary " + c.binary() + " is not a Go program");
        Inputs.Run go126 = run(tmp, "analyze", "--binary", Inputs.newest("double-close").binaryXz().toString(),
                c.core().toString());
        assertOneLineError(go126, 4, "(GNU build id ", ") does not match core " + c.core() + " (GNU build id ");
        Inputs.Run go122 = run(tmp, "analyze", "--binary", Inputs.oldest("double-close").binaryXz().toString(),
                c.core().toString());
        assertOneLineError(go122, 4, "(no GNU build id) does not match core " + c.core() + " (GNU build id ");
    }

    // ---- decompression bombs and the size option ----

    @Test
    void aDecompressionBombStopsAtMaxCoreSize() throws Exception {
        Path bomb = tmp.resolve("core.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(bomb))) {
            // An ELF core header, so that the sniff lets it through; zeros after it.
            byte[] header = new byte[64];
            System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, 0, header, 0, 8);
            header[16] = 4; // ET_CORE
            o.write(header);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                o.write(zeros);
            }
        }
        assertTrue(Files.size(bomb) < 1 << 20);
        Inputs.Run r = run(tmp, "analyze", "--max-core-size", "8M", "--binary",
                Inputs.newest("double-close").binaryXz().toString(), bomb.toString());
        assertOneLineError(r, 3, "expands beyond --max-core-size 8388608");
        assertFalse(Files.exists(tmp.resolve("core")));
        // A bomb of zeros alone is not even unpacked: its first bytes are not a core.
        Path zeros = tmp.resolve("zeros.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(zeros))) {
            o.write(new byte[64 << 20]);
        }
        r = run(tmp, "analyze", "--binary", Inputs.newest("double-close").binaryXz().toString(), zeros.toString());
        assertOneLineError(r, 3, "the gzip data is not a core: it holds bytes 0000");
        try (Stream<Path> left = Files.walk(tmp.resolve("cache"))) {
            assertEquals(0, left.filter(Files::isRegularFile).filter(p -> !p.toString().contains("lock")).count(),
                    "the partial entry is deleted");
        }
    }

    @Test
    void maxCoreSizeTakesSuffixesAndHasASensibleDefault() throws Exception {
        Inputs.Run help = run(tmp, "analyze", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("(default 32G)"), help.out());
        SampleCores.Entry e = Inputs.newest("double-close");
        // 512M holds the 41 MB core; 1k does not
        Inputs.Run ok = run(tmp, "analyze", "--max-core-size", "512M", "--binary", e.binaryXz().toString(),
                e.coreXz().toString());
        assertEquals(0, ok.exit(), ok.err());
        // (a fresh cache: an input unpacked once is reused without unpacking it again)
        Inputs.Run small = run(tmp, Map.of("CHANSCOPE_CACHE", tmp.resolve("cache2").toString()), null, "analyze",
                "--max-core-size", "1k", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertOneLineError(small, 3, "--max-core-size 1024");
        for (String bad : List.of("12X", "-5", "0", "99999999999T")) {
            Inputs.Run u = run(tmp, "analyze", "--max-core-size", bad, e.coreXz().toString());
            assertEquals(2, u.exit(), bad + ": " + u.err());
            assertTrue(u.err().contains("--max-core-size"), u.err());
            assertFalse(u.err().contains("\tat "), u.err());
        }
    }

    // ---- hostile bundles ----

    @Test
    void aTarWithDotDotPathsAndLinksNeverWritesOutsideTheCache() throws Exception {
        SampleCores.Entry e = Inputs.newest("double-close");
        byte[] core = Files.readAllBytes(e.core());
        Path bundle = tmp.resolve("evil.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(bundle))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            add(tar, "../../escaped-core", core);        // a core under a ../ name: never taken
            add(tar, "/tmp/absolute-escape", "x".getBytes());
            link(tar, "core", "/etc/passwd", TarConstants.LF_SYMLINK);
            link(tar, "hard", "../../escaped-core", TarConstants.LF_LINK);
            add(tar, "dump/core", core);
            add(tar, "dump/server", Files.readAllBytes(e.binary()));
        }
        Path work = Files.createDirectories(tmp.resolve("work/a/b"));
        Inputs.Run r = run(tmp, Map.of(), work, "analyze", "--json", bundle.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("close-of-closed", JSON.readTree(r.out()).at("/panic/kind").asText());
        try (Stream<Path> all = Files.walk(tmp)) {
            List<Path> escaped = all.filter(p -> p.getFileName().toString().contains("escape")).toList();
            assertEquals(List.of(), escaped);
        }
        assertFalse(Files.exists(Path.of("/tmp/absolute-escape")));
        // When the only core is under a ../ name, there is no core.
        Path only = tmp.resolve("only.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(only))) {
            add(tar, "../core", core);
        }
        assertOneLineError(run(tmp, "analyze", only.toString()), 3, "no core found");
    }

    // ---- helpers ----

    private interface Damage {
        void apply(ByteBuffer header, ElfFile original) throws IOException;
    }

    /** A copy of the sample core with its first 64 KiB changed. */
    private Path damaged(SampleCores.Entry e, String name, Damage d) throws IOException {
        Path out = Files.copy(e.core(), tmp.resolve(name + ".core"));
        ByteBuffer head = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.READ, StandardOpenOption.WRITE);
                ElfFile original = ElfFile.open(e.core())) {
            ch.read(head, 0);
            d.apply(head, original);
            head.rewind();
            ch.write(head, 0);
        }
        return out;
    }

    private static long allgsSymbol(SampleCores.Entry e) {
        try (ElfFile bin = ElfFile.open(e.binary())) {
            return bin.symbolAddress("runtime.allgs").orElseThrow();
        }
    }

    /** runtime.allgs's backing array, read from the core's copy of the runtime's data. */
    private static long allgsArray(SampleCores.Entry e) {
        try (ElfFile core = ElfFile.open(e.core())) {
            return le(core.readVirtual(allgsSymbol(e), 8).orElseThrow()).getLong();
        }
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry en = new TarArchiveEntry(name, true); // keep ../ and leading / as written
        en.setSize(data.length);
        en.setMode(0755);
        tar.putArchiveEntry(en);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target, byte type) throws IOException {
        TarArchiveEntry en = new TarArchiveEntry(name, type);
        en.setLinkName(target);
        tar.putArchiveEntry(en);
        tar.closeArchiveEntry();
    }
}
