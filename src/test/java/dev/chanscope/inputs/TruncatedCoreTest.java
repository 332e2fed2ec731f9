package dev.chanscope.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.core.CoreTarget;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.GoroutineReader;
import dev.chanscope.goruntime.PhysicalFrame;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.proc.Target;
import dev.chanscope.proc.ThreadContext;
import dev.chanscope.proc.TypeCatalog;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cores cut short, opened with the real gdb: analysis goes on where the memory survives. */
class TruncatedCoreTest {
    @TempDir
    Path tmp;

    @Test
    void gdbOpensCutCoresAndEveryThreadSurvives() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        long size = Files.size(e.core());
        int threads;
        try (CoreTarget full = CoreTarget.open(e.core(), e.binary(), false)) {
            assertTrue(full.truncation().isEmpty());
            assertEquals(List.of(), full.warnings());
            threads = full.threads().size();
            assertTrue(threads > 1);
        }
        long firstLoad;
        try (ElfFile core = ElfFile.open(e.core())) {
            firstLoad = core.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD)
                    .mapToLong(ElfFile.Segment::offset).min().orElseThrow();
        }
        for (long n : List.of(size - 1, size / 2, size / 4, firstLoad)) {
            Path cut = Inputs.cut(e.core(), n, tmp.resolve("core-" + n));
            try (CoreTarget t = CoreTarget.open(cut, e.binary(), false)) {
                assertEquals(new CoreTarget.Truncation(n, size), t.truncation().orElseThrow());
                assertTrue(t.warnings().get(0).startsWith("the core is truncated: " + n + " of " + size + " bytes present"),
                        t.warnings().toString());
                assertEquals(threads, t.threads().size(), "cut at " + n);
            }
        }
    }

    @Test
    void lostDataReadsAsMissingNotAsTheExecutablesInitialValues() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        long allgs;
        long firstLoad;
        try (ElfFile bin = ElfFile.open(e.binary()); ElfFile core = ElfFile.open(e.core())) {
            allgs = bin.symbolAddress("runtime.allgs").orElseThrow();
            assertTrue(bin.readVirtual(allgs, 16).isPresent(), "the executable has a (zero) value for it");
            firstLoad = core.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD)
                    .mapToLong(ElfFile.Segment::offset).min().orElseThrow();
        }
        Path cut = Inputs.cut(e.core(), firstLoad, tmp.resolve("core"));
        try (CoreTarget t = CoreTarget.open(cut, e.binary(), false)) {
            assertFalse(t.memory().isReadable(allgs, 16));
            assertThrows(MemoryAccessException.class, () -> t.memory().read(allgs, 16));
            ChanscopeException x = assertThrows(ChanscopeException.class, () -> new SnapshotReader(64).read(t));
            assertEquals(ExitCode.BAD_INPUT, x.exitCode());
        }
    }

    @Test
    void aGoroutineWhoseStackIsMissingIsAWarningAndTheRestIsRead() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            Snapshot whole = new SnapshotReader(1024).read(t);
            assertEquals(List.of(), whole.warnings());
            long victim = whole.panic().orElseThrow().goroutineId();
            Goroutine parked = whole.goroutines().stream()
                    .filter(g -> g.id() != victim && g.stack().size() > 1).findFirst().orElseThrow();
            long lo = parked.stack().stream().mapToLong(PhysicalFrame::sp).min().orElseThrow() & ~0xfffL;
            long hi = (parked.stack().stream().mapToLong(PhysicalFrame::sp).max().orElseThrow() | 0xfffL) + 1;
            Snapshot s = new SnapshotReader(1024).read(new Hiding(t, lo, hi), List.of("opened with a hole"));
            assertEquals("opened with a hole", s.warnings().get(0));
            assertTrue(s.warnings().contains("goroutine " + parked.id() + ": " + GoroutineReader.STACK_UNREADABLE),
                    s.warnings().toString());
            assertEquals("goroutine " + parked.id() + ": stack unreadable (core truncated?)", s.warnings().get(1));
            assertEquals(whole.goroutines().size(), s.goroutines().size());
            assertEquals(whole.panic().orElseThrow().message(), s.panic().orElseThrow().message());
            assertEquals(whole.channel().orElseThrow().address(), s.channel().orElseThrow().address());
        }
    }

    /** A real target with one address range taken out of its memory, as a damaged core would have it. */
    private record Hiding(Target inner, long lo, long hi) implements Target {
        @Override
        public Memory memory() {
            Memory m = inner.memory();
            return new Memory() {
                @Override
                public byte[] read(long address, int length) {
                    if (address < hi && lo < address + length) {
                        throw new MemoryAccessException(address, length);
                    }
                    return m.read(address, length);
                }

                @Override
                public boolean isReadable(long address, int length) {
                    return !(address < hi && lo < address + length) && m.isReadable(address, length);
                }
            };
        }

        @Override
        public List<ThreadContext> threads() {
            return inner.threads();
        }

        @Override
        public OptionalLong symbolAddress(String name) {
            return inner.symbolAddress(name);
        }

        @Override
        public OptionalLong symbolSize(String name) {
            return inner.symbolSize(name);
        }

        @Override
        public TypeCatalog types() {
            return inner.types();
        }

        @Override
        public int terminatingSignal() {
            return inner.terminatingSignal();
        }

        @Override
        public Path executable() {
            return inner.executable();
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public void close() {
            // the test closes the real target
        }
    }
}
