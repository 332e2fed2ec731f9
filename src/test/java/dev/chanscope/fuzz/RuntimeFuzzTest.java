package dev.chanscope.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chanscope.ChanscopeException;
import dev.chanscope.core.CoreTarget;
import dev.chanscope.goruntime.GoLayouts;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.proc.Target;
import dev.chanscope.proc.ThreadContext;
import dev.chanscope.proc.TypeCatalog;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Coverage-guided fuzzing (Jazzer) of the pclntab and runtime readers over a real sample core
 * (Go 1.26 multi-closer, read once with gdb): each input damages the runtime's structures in
 * memory (the allgs slice and array, the goroutines' g structs, the panic, the pclntab header
 * and function table) and the readers run over the result. They may refuse only with
 * ChanscopeException (a clean error); anything else escaping is a finding. Seeds:
 * src/test/resources/dev/chanscope/fuzz/RuntimeFuzzTestInputs/; {@code scripts/fuzz} fuzzes.
 */
class RuntimeFuzzTest {
    private static final CoreTarget CORE;
    private static final PatchedMemory MEMORY;
    private static final Target TARGET;
    private static final List<PatchedMemory.Range> RUNTIME = new ArrayList<>();
    private static final List<PatchedMemory.Range> PCLNTAB = new ArrayList<>();
    private static final long PC_HEADER;
    private static final long GOFUNC;
    private static final long TEXT;
    private static final List<Long> PCS = new ArrayList<>();

    static {
        SampleCores.Entry e = SampleCores.get("1.26.8", "multi-closer");
        CORE = CoreTarget.open(e.core(), e.binary(), false);
        MEMORY = new PatchedMemory(CORE.memory());
        TARGET = new Patched(CORE, MEMORY);
        GoRuntime rt = GoRuntime.of(CORE);
        Memory m = CORE.memory();
        Snapshot s = new SnapshotReader(64).read(rt, List.of());
        GoLayouts.G gl = rt.layouts().g();
        long allgs = rt.requireSymbol("runtime.allgs");
        RUNTIME.add(new PatchedMemory.Range("allgs", allgs, 24));
        RUNTIME.add(new PatchedMemory.Range("allgs array", m.u64(allgs), 8 * (int) Math.min(m.u64(allgs + 8), 64)));
        for (Goroutine g : s.goroutines().subList(0, Math.min(8, s.goroutines().size()))) {
            RUNTIME.add(new PatchedMemory.Range("g " + g.id(), g.address(), (int) gl.size()));
            if (g.panicAddress() != 0) {
                RUNTIME.add(new PatchedMemory.Range("panic", g.panicAddress(), (int) rt.layouts().panic().size()));
            }
        }
        s.channel().ifPresent(c -> RUNTIME.add(new PatchedMemory.Range("hchan", c.address(), 96)));
        long md = rt.requireSymbol("runtime.firstmoduledata");
        GoLayouts.Moduledata mdl = rt.layouts().moduledata();
        PC_HEADER = m.u64(md + mdl.pcHeader());
        GOFUNC = m.u64(md + mdl.gofunc());
        TEXT = m.u64(md + mdl.text());
        PCLNTAB.add(new PatchedMemory.Range("pcHeader", PC_HEADER, 72));
        long pclntable = PC_HEADER + m.u64(PC_HEADER + 8 + 7 * 8);
        PCLNTAB.add(new PatchedMemory.Range("functab", pclntable, 4096));
        RUNTIME.addAll(PCLNTAB);
        Pclntab p = rt.pclntab();
        p.functions().stream().limit(400).forEach(f -> PCS.add(f.entry() + 1));
        s.goroutines().forEach(g -> g.stack().forEach(f -> PCS.add(f.pc())));
    }

    /** The runtime's model and the snapshot: goroutines, stacks, panic, channel. */
    @FuzzTest(maxDuration = "60s")
    void snapshot(FuzzedDataProvider data) {
        MEMORY.patch(data, RUNTIME);
        try {
            GoRuntime rt = GoRuntime.of(TARGET);
            new SnapshotReader(64).read(rt, List.of());
        } catch (ChanscopeException e) {
            // a clean refusal: the runtime cannot be read
        }
    }

    /** The pclntab: its header, function table, names, lines, frame sizes and inline trees. */
    @FuzzTest(maxDuration = "60s")
    void pclntab(FuzzedDataProvider data) {
        MEMORY.patch(data, PCLNTAB);
        Pclntab p;
        try {
            p = new Pclntab(MEMORY, PC_HEADER, GOFUNC, TEXT);
        } catch (IllegalArgumentException | MemoryAccessException e) {
            return; // the constructor's contract: a header it cannot use (GoRuntime makes it a clean error)
        }
        for (long pc : PCS) {
            try {
                Optional<Pclntab.FuncInfo> f = p.funcAt(pc);
                if (f.isPresent()) {
                    p.frames(f.get(), pc);
                    p.spDelta(f.get(), pc);
                    p.line(f.get(), pc);
                }
            } catch (MemoryAccessException e) {
                // a table pointing outside memory: the unwinder reports the stack as incomplete
            }
        }
    }

    /** The core target with the fuzzer's memory. */
    record Patched(CoreTarget core, Memory memory) implements Target {
        @Override
        public List<ThreadContext> threads() {
            return core.threads();
        }

        @Override
        public OptionalLong symbolAddress(String name) {
            return core.symbolAddress(name);
        }

        @Override
        public OptionalLong symbolSize(String name) {
            return core.symbolSize(name);
        }

        @Override
        public TypeCatalog types() {
            return core.types();
        }

        @Override
        public int terminatingSignal() {
            return core.terminatingSignal();
        }

        @Override
        public Path executable() {
            return core.executable();
        }

        @Override
        public String describe() {
            return core.describe();
        }

        @Override
        public void close() {
        }
    }
}
