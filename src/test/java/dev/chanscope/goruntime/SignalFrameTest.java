package dev.chanscope.goruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.core.CoreMemory;
import dev.chanscope.core.CoreTarget;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.DiagnosisRunner;
import dev.chanscope.diagnose.Pattern;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.NativeFrame;
import dev.chanscope.proc.Target;
import dev.chanscope.proc.ThreadContext;
import dev.chanscope.proc.TypeCatalog;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crashing thread's signal frame returns through libc's {@code __restore_rt} in cgo,
 * external-link and -race builds (runtime/cgo installs the handlers through libc's sigaction).
 * The panicking goroutine's frames come out the same by each of the three ways chanscope crosses
 * it: the restorer's code bytes, the handler's entry frame when libc's code is not readable, and
 * gdb's own unwinder when the thread's registers lead nowhere.
 */
class SignalFrameTest {
    private static final Set<String> LIBC_BUILDS = Set.of("cgo", "cgopie", "extlink", "race");

    static Stream<SampleCores.Entry> libcSignalCores() {
        return SampleCores.all().stream().filter(e -> LIBC_BUILDS.contains(e.build()) && e.truth().isChannelPanic());
    }

    private static Goroutine victim(Target t) {
        Snapshot s = new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(GoRuntime.of(t), List.of());
        long id = s.panic().orElseThrow().goroutineId();
        return s.goroutine(id).orElseThrow(() -> new AssertionError("no panicking goroutine"));
    }

    private static List<String> lines(Goroutine g) {
        return g.frames().stream().map(f -> f.function() + " " + f.file() + ":" + f.line()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("libcSignalCores")
    void theVictimsFramesMatchTheRuntimeByEachWayAcross(SampleCores.Entry e) {
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            Goroutine plain = victim(t);
            assertEquals("signal-context", plain.stackSource(), e + ": " + lines(plain));
            List<String> want = e.traceback().goroutine(plain.id()).orElseThrow().frames().stream()
                    .map(f -> f.file() + ":" + f.line()).toList();
            List<String> got = plain.frames().stream().map(f -> f.file() + ":" + f.line()).toList();
            assertEquals(want, got.subList(0, Math.min(got.size(), want.size())), "the runtime's traceback");
            assertTrue(lines(plain).stream().anyMatch(l -> l.startsWith("runtime.chansend ") || l.startsWith("runtime.closechan ")
                    || l.startsWith("runtime.selectgo ")), lines(plain).toString());

            // libc's text is not in the core: without gdb's copy of it, the handler's entry frame decides.
            Memory coreAndBinary = new CoreMemory(t.coreFile(), t.executableFile(), t.loadBias().value(),
                    (a, n) -> Optional.empty());
            Goroutine noLibc = victim(new Delegate(t, coreAndBinary, t.threads(), true));
            assertEquals(lines(plain), lines(noLibc));
            assertEquals("signal-context", noLibc.stackSource());

            // Registers that lead nowhere: only gdb's unwinder gets onto the goroutine's stack.
            List<ThreadContext> nowhere = new ArrayList<>(t.threads());
            Map<String, Long> regs = new HashMap<>(nowhere.get(0).registers());
            regs.put("rip", 0L);
            regs.put("rsp", 8L);
            nowhere.set(0, new ThreadContext(nowhere.get(0).lwp(), Map.copyOf(regs)));
            Goroutine viaGdb = victim(new Delegate(t, t.memory(), List.copyOf(nowhere), true));
            // (these builds crash on the goroutine's own stack, so g.sched holds nothing to start from)
            assertEquals("gdb", viaGdb.stackSource());
            assertEquals(lines(plain), lines(viaGdb));

            // Without gdb's unwinder as well, the victim has no frames: the reading is incomplete,
            // and the verdict says so instead of being confident.
            Delegate blind = new Delegate(t, t.memory(), List.copyOf(nowhere), false);
            GoRuntime rt = GoRuntime.of(blind);
            Snapshot s = new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(rt, List.of());
            assertTrue(s.goroutine(plain.id()).orElseThrow().frames().isEmpty());
            assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith(SnapshotReader.INCOMPLETE_PREFIX)), s.warnings().toString());
            Diagnosis d = DiagnosisRunner.run(rt, t.executableFile(), s, SourceIndex.none());
            assertTrue(d.confidence() < 0.8, d.pattern() + " at " + d.confidence());
            assertTrue(d.pattern() != Pattern.NOT_CHANNEL_PANIC, d.headline());
            assertTrue(d.missing().get(0).contains("has no stack frames"), d.missing().toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("libcSignalCores")
    void gdbsUnwinderSeesTheSignalFrameAndTheGoroutineBelowIt(SampleCores.Entry e) {
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            List<NativeFrame> frames = t.nativeFrames(t.threads().get(0).lwp());
            assertFalse(frames.isEmpty());
            int signal = -1;
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i).signal()) {
                    signal = i;
                    break;
                }
            }
            assertTrue(signal > 0, "a <signal handler called> frame in " + frames);
            Pclntab pcln = GoRuntime.of(t).pclntab();
            assertEquals("runtime.raise", pcln.funcAt(frames.get(signal + 1).pc()).orElseThrow().name());
            assertEquals("runtime.sigtramp", pcln.funcAt(frames.get(signal - 1).pc()).orElseThrow().name());
        }
    }

    /** A target seen through other memory or other registers; everything else is the core's. */
    private record Delegate(CoreTarget inner, Memory memory, List<ThreadContext> threads, boolean gdbUnwinds)
            implements Target {
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
        public List<NativeFrame> nativeFrames(int lwp) {
            return gdbUnwinds ? inner.nativeFrames(lwp) : List.of();
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
            // the test closes the core
        }
    }
}
