package dev.chanscope.inputs;

import static dev.chanscope.inputs.Inputs.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.core.CoreTarget;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.GoLayouts;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.proc.Memory;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cores damaged where the runtime's own structures are (found with chanscope's readers, then
 * overwritten in a copy of a real sample core): each gave an internal error, or a confident
 * verdict with no warning. Now: a clean error, or a partial report naming the impossible state
 * with the confidence below 0.8.
 */
class ImplausibleCoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SampleCores.Entry E = Inputs.newest("multi-closer");

    /** File offsets in E's core of the fields the tests overwrite. */
    private static long allgsLen;
    private static long allgsArray;
    private static long firstG;
    private static long victimStatus;
    private static long waitingSchedSp;
    private static long waitingSchedSpValue;
    private static long pcHeaderField;
    private static long ntFile;

    @TempDir
    Path tmp;

    @BeforeAll
    static void locate() {
        try (CoreTarget t = CoreTarget.open(E.core(), E.binary(), false)) {
            GoRuntime rt = GoRuntime.of(t);
            Memory mem = t.memory();
            Snapshot s = new SnapshotReader(64).read(rt, List.of());
            ElfFile core = t.coreFile();
            GoLayouts.G gl = rt.layouts().g();
            long allgs = rt.requireSymbol("runtime.allgs");
            allgsLen = Inputs.fileOffset(core, allgs + 8);
            allgsArray = Inputs.fileOffset(core, mem.u64(allgs));
            firstG = mem.u64(mem.u64(allgs));
            Goroutine victim = s.goroutine(s.panic().orElseThrow().goroutineId()).orElseThrow();
            victimStatus = Inputs.fileOffset(core, victim.address() + gl.status());
            Goroutine waiting = s.goroutines().stream().filter(g -> g.status().kind() == GoStatus.Kind.WAITING
                    && !g.frames().isEmpty()).findFirst().orElseThrow();
            waitingSchedSp = Inputs.fileOffset(core, waiting.address() + gl.schedSp());
            waitingSchedSpValue = mem.u64(waiting.address() + gl.schedSp());
            long md = rt.requireSymbol("runtime.firstmoduledata");
            pcHeaderField = Inputs.fileOffset(core, md + rt.layouts().moduledata().pcHeader());
            ElfFile.MappedFile exe = core.mappedFiles().get(0);
            ntFile = find(E.core(), le(exe.start(), exe.end()));
        }
    }

    private static byte[] le(long... words) {
        ByteBuffer b = ByteBuffer.allocate(8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        return b.array();
    }

    private static long find(Path file, byte[] what) {
        try {
            byte[] head = new byte[(int) Math.min(Files.size(file), 1 << 20)];
            try (FileChannel c = FileChannel.open(file)) {
                c.read(ByteBuffer.wrap(head), 0);
            }
            for (int i = 0; i + what.length <= head.length; i++) {
                if (java.util.Arrays.equals(head, i, i + what.length, what, 0, what.length)) {
                    return i;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("not found in the core's first MB");
    }

    /** A copy of the core with {@code bytes} written at each file offset. */
    private Path mutant(String name, long offset, byte[] bytes) throws IOException {
        Path m = tmp.resolve(name);
        Files.copy(E.core(), m);
        try (FileChannel c = FileChannel.open(m, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(bytes), offset);
        }
        return m;
    }

    private static byte[] u32(long v) {
        return java.util.Arrays.copyOf(le(v), 4);
    }

    /** A partial report (exit 1) naming the impossible state, its verdict capped below 0.8. */
    private JsonNode assertImplausible(Path core, String mustContain) throws Exception {
        Inputs.Run r = run(tmp, "analyze", "--json", "--binary", E.binaryXz().toString(), core.toString());
        assertEquals(1, r.exit(), "stderr: " + r.err() + "\nstdout: " + r.out());
        assertFalse(r.err().contains("Exception"), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertTrue(j.get("partial").asBoolean());
        boolean named = false;
        for (JsonNode w : j.get("warnings")) {
            named |= w.asText().startsWith("implausible: ") && w.asText().contains(mustContain);
        }
        assertTrue(named, "no 'implausible: ..." + mustContain + "' warning in " + j.get("warnings"));
        assertTrue(j.at("/diagnosis/confidence").asDouble() < 0.8, "confidence " + j.at("/diagnosis/confidence"));
        return j;
    }

    @Test
    void aGoroutineStatusOutsideTheRuntimesTableIsAWarningNotAnIndexError() throws Exception {
        // 4 bytes: a status with the top bit set was read as a negative index (exit 70)
        assertImplausible(mutant("status", victimStatus, u32(0x80000002L)), "has status 2147483650");
    }

    @Test
    void anEmptyAllgsIsNotANotChannelPanicAt099() throws Exception {
        // allgs.len := 0 gave "not-channel-panic" at 0.99, exit 0. With no goroutine at all there
        // is nothing to report: one line naming the impossible state, exit 3, no verdict.
        Inputs.Run r = run(tmp, "analyze", "--json", "--binary", E.binaryXz().toString(),
                mutant("nogs", allgsLen, le(0)).toString());
        assertEquals(3, r.exit(), "stderr: " + r.err() + "\nstdout: " + r.out());
        assertTrue(r.out().isEmpty(), "no report, so no verdict: " + r.out());
        assertFalse(r.err().contains("Exception"), r.err());
        assertTrue(r.err().contains("no goroutine could be read") && r.err().contains("runtime.allgs lists no goroutine"),
                r.err());
    }

    @Test
    void theSameGoroutineListedManyTimesIsAWarningAndListedOnce() throws Exception {
        long[] same = new long[7];
        java.util.Arrays.fill(same, firstG);
        JsonNode j = assertImplausible(mutant("dups", allgsArray, le(same)), "lists the same g 6 more times");
        long first = 0;
        int count = 0;
        for (JsonNode g : j.get("goroutines")) {
            if (g.get("address") != null && Long.decode(g.get("address").asText()) == firstG) {
                count++;
            }
            first = first == 0 ? g.get("id").asLong() : first;
        }
        assertTrue(count <= 1, "listed " + count + " times");
    }

    @Test
    void aSavedStackPointerOutsideTheStackIsAWarningNotZeroSilentFrames() throws Exception {
        assertImplausible(mutant("sp", waitingSchedSp, le(waitingSchedSpValue ^ 0x7000_0000_0000L)),
                "saved stack pointer");
    }

    @Test
    void anNtFileRangeNoSegmentHoldsIsAWarning() throws Exception {
        // one byte of the executable's mapping start, moved far from every PT_LOAD
        assertImplausible(mutant("ntfile", ntFile + 5, new byte[] {0x7e}), "NT_FILE");
    }

    @Test
    void aDamagedPclntabHeaderIsACleanErrorNotAnIllegalArgument() throws Exception {
        // moduledata.pcHeader pointing 4 bytes off: the header's magic is wrong
        long pcHeader;
        try (FileChannel c = FileChannel.open(E.core())) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            c.read(b, pcHeaderField);
            pcHeader = b.getLong(0);
        }
        Inputs.Run r = run(tmp, "analyze", "--json", "--binary", E.binaryXz().toString(),
                mutant("pclntab", pcHeaderField, le(pcHeader + 4)).toString());
        Inputs.assertOneLineError(r, 3, "damaged");
    }

    @Test
    void dataPlacedInsideTheSegmentBeforeIsDamageNotATruncation() throws Exception {
        try (ElfFile core = ElfFile.open(E.core())) {
            List<ElfFile.Segment> segs = core.segments();
            int index = -1;
            for (int i = segs.size() - 1; i > 0 && index < 0; i--) {
                if (segs.get(i).type() == ElfFile.PT_LOAD && segs.get(i).filesz() > 0) {
                    index = i;
                }
            }
            ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel c = FileChannel.open(E.core())) {
                c.read(h, 0);
            }
            long phoff = h.getLong(0x20);
            int phentsize = Short.toUnsignedInt(h.getShort(0x36));
            // p_offset moved back by a page (one damaged byte of it would do the same)
            Path m = mutant("offset", phoff + (long) index * phentsize + 8, le(segs.get(index).offset() - 4096));
            Inputs.Run r = run(tmp, "analyze", "--json", "--binary", E.binaryXz().toString(), m.toString());
            Inputs.assertOneLineError(r, 3, "is damaged: program header " + index);
        }
    }

    @Test
    void aFileSizeAboveTheMemorySizeIsDamageNotATruncationOf26TB() throws Exception {
        long phoff;
        int phentsize;
        try (ElfFile core = ElfFile.open(E.core())) {
            ElfFile.Segment load = core.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD && s.filesz() > 0)
                    .reduce((a, b) -> b).orElseThrow();
            try (FileChannel c = FileChannel.open(E.core())) {
                ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
                c.read(h, 0);
                phoff = h.getLong(0x20);
                phentsize = Short.toUnsignedInt(h.getShort(0x36));
            }
            int index = core.segments().indexOf(load);
            Path m = mutant("phdr", phoff + (long) index * phentsize + 32, le(load.filesz() + (0x18L << 40)));
            Inputs.Run r = run(tmp, "analyze", "--json", "--binary", E.binaryXz().toString(), m.toString());
            Inputs.assertOneLineError(r, 3, "is damaged: program header " + index);
            assertFalse(r.err().contains("truncated"), r.err());
        }
    }
}
