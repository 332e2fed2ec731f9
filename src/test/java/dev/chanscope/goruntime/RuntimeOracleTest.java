package dev.chanscope.goruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chanscope.core.CoreTarget;
import dev.chanscope.testing.RuntimeTraceback;
import dev.chanscope.testing.SampleCores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime's own GOTRACEBACK=crash output is the oracle: for every sample core of every Go
 * version, every goroutine it printed must come out of the core with the same id, state,
 * frames (function, file:line, in order) and creator, and the channel address must be the one
 * the runtime printed as chansend's/closechan's first argument.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimeOracleTest {
    private final Map<String, Snapshot> snapshots = new HashMap<>();

    static Stream<SampleCores.Entry> cores() {
        List<SampleCores.Entry> all = SampleCores.all();
        assertTrue(all.size() >= 16, "expected the committed sample cores, found " + all.size());
        assertTrue(SampleCores.goVersions().size() >= 2, "expected two Go versions: " + SampleCores.goVersions());
        return all.stream();
    }

    @BeforeAll
    void checkVersions() {
        assertTrue(SampleCores.goVersions().stream().anyMatch(v -> v.startsWith("1.22") || v.startsWith("1.21")),
                "an older Go (1.22 or earlier) must be among the sample cores");
    }

    @AfterAll
    void clear() {
        snapshots.clear();
    }

    private Snapshot snapshot(SampleCores.Entry e) {
        return snapshots.computeIfAbsent(e.id(), k -> {
            try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
                return new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(t);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cores")
    void everyGoroutineMatchesTheRuntimesTraceback(SampleCores.Entry e) {
        Snapshot s = snapshot(e);
        RuntimeTraceback tb = e.traceback();
        assertEquals("go" + e.goVersion(), s.goVersion());
        List<String> problems = new ArrayList<>();
        int compared = 0;
        for (RuntimeTraceback.Goroutine want : tb.goroutines()) {
            var got = s.goroutine(want.id());
            if (got.isEmpty()) {
                problems.add("goroutine " + want.id() + " missing");
                continue;
            }
            Goroutine g = got.get();
            if (!g.state().equals(want.status())) {
                problems.add("goroutine " + want.id() + " state " + g.state() + ", runtime says " + want.status());
            }
            if (!want.stackUnavailable()) {
                compareFrames(want, g, problems);
                compared++;
            }
            want.createdBy().ifPresent(c -> {
                if (g.createdBy().isEmpty()) {
                    problems.add("goroutine " + want.id() + " has no creator; runtime: " + c.function());
                    return;
                }
                Frame cb = g.createdBy().get();
                if (!cb.function().equals(c.function()) || !cb.file().equals(c.file()) || cb.line() != c.line()
                        || (c.parentGoroutine() != 0 && c.parentGoroutine() != g.parentId())) {
                    problems.add("goroutine " + want.id() + " created by " + cb.function() + " " + cb.location()
                            + " in " + g.parentId() + "; runtime: " + c.function() + " " + c.file() + ":" + c.line()
                            + " in " + c.parentGoroutine());
                }
            });
        }
        if (!problems.isEmpty()) {
            fail(e.id() + ": " + problems.size() + " differences:\n  " + String.join("\n  ", problems));
        }
        assertTrue(compared > 0, "no goroutine stacks compared");
    }

    private static void compareFrames(RuntimeTraceback.Goroutine want, Goroutine g, List<String> problems) {
        List<RuntimeTraceback.Frame> wf = want.frames();
        List<Frame> gf = g.frames();
        List<int[]> pairs = new ArrayList<>(); // (index in want, index in ours)
        if (want.elidedAt() >= 0) {
            // The runtime printed the innermost frames, "...N frames elided...", then the outermost.
            for (int i = 0; i < want.elidedAt(); i++) {
                pairs.add(new int[] {i, i});
            }
            int tail = wf.size() - want.elidedAt();
            for (int k = 0; k < tail; k++) {
                pairs.add(new int[] {want.elidedAt() + k, gf.size() - tail + k});
            }
            if (gf.size() != wf.size() + want.elidedFrames()) {
                problems.add("goroutine " + want.id() + ": " + gf.size() + " frames, runtime had "
                        + (wf.size() + want.elidedFrames()));
            }
        } else {
            if (gf.size() != wf.size() && !want.truncated()) {
                problems.add("goroutine " + want.id() + ": " + gf.size() + " frames, runtime printed " + wf.size()
                        + "\n    ours:    " + gf.stream().map(Frame::function).toList()
                        + "\n    runtime: " + wf.stream().map(RuntimeTraceback.Frame::function).toList());
                return;
            }
            for (int i = 0; i < wf.size(); i++) {
                pairs.add(new int[] {i, i});
            }
        }
        for (int[] p : pairs) {
            RuntimeTraceback.Frame w = wf.get(p[0]);
            if (p[1] < 0 || p[1] >= gf.size()) {
                problems.add("goroutine " + want.id() + " frame " + p[0] + " missing");
                continue;
            }
            Frame f = gf.get(p[1]);
            String wantFn = w.function().equals("panic") ? "runtime.gopanic" : w.function();
            if (!f.function().equals(wantFn) || !f.file().equals(w.file()) || f.line() != w.line()
                    || f.inlined() != w.inlined()) {
                problems.add("goroutine " + want.id() + " frame " + p[0] + ": " + f.function() + " " + f.location()
                        + (f.inlined() ? " (inlined)" : "") + "; runtime: " + w.function() + " " + w.file() + ":"
                        + w.line() + (w.inlined() ? " (inlined)" : ""));
            }
            if (w.pc() != null && !f.inlined() && f.pc() != w.pc()) {
                problems.add(String.format("goroutine %d frame %d: pc 0x%x, runtime 0x%x", want.id(), p[0], f.pc(), w.pc()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cores")
    void panicAndChannelMatchTheRuntimeAndTheGroundTruth(SampleCores.Entry e) {
        Snapshot s = snapshot(e);
        SampleCores.Truth truth = e.truth();
        RuntimeTraceback tb = e.traceback();
        PanicRecord p = s.panic().orElseThrow();
        assertEquals(truth.panicKind(), p.kind().id(), "panic kind");
        if (truth.panicMessage() != null) {
            assertEquals(truth.panicMessage(), p.message());
            assertEquals(tb.panicking().orElseThrow().id(), p.goroutineId(), "panicking goroutine");
        }
        if (!truth.panicSite().isEmpty()) {
            assertTrue(truth.panicSite().contains(p.site().id()),
                    "site " + p.site().id() + " not in " + truth.panicSite());
        }
        if (truth.repanicked()) {
            assertTrue(p.chain().size() >= 2 && p.chain().stream().anyMatch(PanicRecord.ChainEntry::recovered),
                    "a recovered, re-panicked panic must show its chain: " + p.chain());
        }
        if (!truth.isChannelPanic() || truth.panicKind().equals("close-of-nil")) {
            assertFalse(s.channel().isPresent() && truth.panicKind().equals("close-of-nil"), "no channel for close of nil");
            return;
        }
        Hchan c = s.channel().orElseThrow(() -> new AssertionError("channel not found; warnings " + s.warnings()));
        assertTrue(c.closed(), "the channel of a closed-channel panic is closed");
        if (truth.channelElemType() != null) {
            assertEquals(truth.channelElemType(), c.elemType());
        }
        if (truth.channelCapacity() != null) {
            assertEquals(truth.channelCapacity().longValue(), c.capacity());
        }
        // The runtime printed the channel as the first argument of chansend/closechan.
        RuntimeTraceback.Goroutine victim = tb.panicking().orElseThrow();
        victim.frames().stream()
                .filter(f -> f.function().equals("runtime.chansend") || f.function().equals("runtime.closechan"))
                .findFirst()
                .ifPresent(f -> {
                    String first = f.args().split(",")[0].replace("?", "").strip();
                    assertEquals(first, "0x" + Long.toHexString(c.address()), "channel address vs runtime's " + f.args());
                });
    }
}
