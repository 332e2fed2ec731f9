package dev.chanscope.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.core.CoreTarget;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.testing.SampleCores;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The slow fuzz input {@code 5a5a5a5a5a5a0000000a00} (RuntimeFuzzTestInputs/snapshot/slow-allgs-length):
 * it sets byte 2 of runtime.allgs's length, making 5.9 million goroutines of 32. The array was
 * then read in one request of 47 MB; past the heap arena's dumped pages gdb served it, in hex, for
 * 10 s, until its output cap ended the session with "one line of gdb's output is longer than…"
 * (exit 5, blaming gdb). Now the slice's capacity bounds the length, gdb is never asked for more
 * than a MiB, and an array that cannot be read whole is read a page at a time.
 */
class AllgsDamageTest {
    private static CoreTarget core;
    private static PatchedMemory memory;
    private static long allgs;
    private static Snapshot intact;

    @BeforeAll
    static void open() {
        SampleCores.Entry e = SampleCores.get("1.26.8", "multi-closer");
        core = CoreTarget.open(e.core(), e.binary(), false);
        memory = new PatchedMemory(core.memory());
        GoRuntime rt = GoRuntime.of(core);
        allgs = rt.requireSymbol("runtime.allgs");
        intact = new SnapshotReader(64).read(rt, List.of());
    }

    @AfterAll
    static void close() {
        core.close();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static Snapshot read() {
        return new SnapshotReader(64).read(GoRuntime.of(new RuntimeFuzzTest.Patched(core, memory)), List.of());
    }

    @Test
    void aLengthAboveTheCapacityIsImplausibleAndReadNoFurther() {
        long len = core.memory().u64(allgs + 8);
        long cap = core.memory().u64(allgs + 16);
        memory.patch(allgs + 10, new byte[] {0x5a}); // the fuzz finding's damage
        long start = System.nanoTime();
        Snapshot s = read();
        long millis = (System.nanoTime() - start) / 1_000_000;
        String damaged = Long.toString(len + (0x5aL << 16));
        assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith(Snapshot.IMPLAUSIBLE) && w.contains(damaged)
                && w.contains("room for " + cap)), s.warnings()::toString);
        assertEquals(intact.goroutines().size(), s.goroutines().size(), "the goroutines in allgs[0:cap] are all read");
        assertTrue(millis < 20_000, "took " + millis + " ms");
    }

    @Test
    void aLengthAndCapacityBothDamagedStillEndsWithTheGoroutinesThatCanBeRead() {
        long huge = core.memory().u64(allgs + 8) + (0x5aL << 16);
        memory.patch(allgs + 8, u64(huge));
        memory.add(allgs + 16, u64(huge));
        long start = System.nanoTime();
        Snapshot s = read();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(s.goroutines().size() >= intact.goroutines().size(), s.goroutines().size() + " goroutines");
        assertTrue(millis < 40_000, "took " + millis + " ms (the mutation run calls 60 s a hang)");
    }
}
