package dev.chanscope.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.PanicKind;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.PanicSite;
import dev.chanscope.goruntime.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An incomplete reading is never stated with confidence: what a head-of-tree chanscope said on
 * PIE and cgo cores (0 goroutines → "not a channel panic" at 0.99; a panicking goroutine with
 * no frames) must come out undetermined or below 0.8, with the reason among the missing evidence.
 */
class CompletenessTest {
    private static final GoStatus RUNNING = new GoStatus(2, "running", GoStatus.Kind.RUNNING, false);
    private static final Frame USER = new Frame("main.produce", "/src/main.go", 11, 0x401000, false);

    private static Goroutine g(long id, List<Frame> frames) {
        return new Goroutine(0xc000000000L + id, id, RUNNING, "", 0, Optional.empty(), 1, "main.produce", 100, false,
                0xc000100000L, 0, frames.isEmpty() ? "none" : "signal-context", List.of(), frames, Optional.empty());
    }

    private static Snapshot snapshot(List<Goroutine> gs, Optional<PanicRecord> p) {
        return new Snapshot("go1.26.8", "test", p, Optional.empty(), gs, Map.of(), List.of(), "DWARF");
    }

    private static Diagnosis verdict(Pattern p, double confidence) {
        return new Diagnosis(p, confidence, "headline", List.of(), List.of(), Optional.empty(), List.of(),
                Optional.empty(), List.of(), new Diagnosis.Fix("fix", List.of()), List.of(), List.of(),
                Diagnosis.Basis.NONE);
    }

    private static final PanicRecord SEND = new PanicRecord(7, "send on closed channel", PanicKind.SEND_ON_CLOSED,
            PanicSite.OTHER, Optional.empty(), Optional.empty(), List.of());

    @Test
    void noGoroutinesMeansNoVerdictAboutThePanic() {
        Snapshot s = snapshot(List.of(), Optional.of(new PanicRecord(0, "SIGABRT: abort (no Go panic was in flight)",
                PanicKind.OTHER, PanicSite.OTHER, Optional.empty(), Optional.empty(), List.of())));
        List<String> gaps = Completeness.gaps(s);
        assertEquals(List.of("no goroutine could be read"), gaps);
        Diagnosis d = Completeness.limit(verdict(Pattern.NOT_CHANNEL_PANIC, 0.99), gaps);
        assertEquals(Pattern.UNDETERMINED, d.pattern());
        assertTrue(d.confidence() < 0.8);
        assertTrue(d.missing().get(0).contains("no goroutine could be read"), d.missing().toString());
    }

    @Test
    void aPanickingGoroutineWithoutFramesCapsTheVerdict() {
        Snapshot s = snapshot(List.of(g(7, List.of()), g(8, List.of(USER))), Optional.of(SEND));
        List<String> gaps = Completeness.gaps(s);
        assertEquals(List.of("the panicking goroutine 7 has no stack frames"), gaps);
        Diagnosis d = Completeness.limit(verdict(Pattern.MULTI_CLOSER, 0.9), gaps);
        assertEquals(Pattern.MULTI_CLOSER, d.pattern());
        assertEquals(Completeness.CAP, d.confidence());
        assertTrue(d.confidence() < 0.8);
        assertTrue(d.headline().contains("incomplete reading"), d.headline());
    }

    @Test
    void aCompleteReadingIsLeftAlone() {
        Snapshot s = snapshot(List.of(g(7, List.of(USER))), Optional.of(SEND));
        assertEquals(List.of(), Completeness.gaps(s));
        Diagnosis d = verdict(Pattern.MULTI_CLOSER, 0.9);
        assertEquals(d, Completeness.limit(d, Completeness.gaps(s)));
    }

    @Test
    void noPanicAmongTheGoroutinesReadIsNotProofThereWasNone() {
        Snapshot s = new Snapshot("go1.26.8", "test", Optional.of(new PanicRecord(0, "SIGABRT: abort (no panicking"
                + " goroutine among those that could be read)", PanicKind.OTHER, PanicSite.OTHER, Optional.empty(),
                Optional.empty(), List.of())), Optional.empty(), List.of(g(8, List.of(USER))), Map.of(),
                List.of("goroutine 9: g unreadable (core truncated?): 0x1 not mapped"), "DWARF");
        List<String> gaps = Completeness.gaps(s);
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(Pattern.UNDETERMINED, Completeness.limit(verdict(Pattern.NOT_CHANNEL_PANIC, 0.99), gaps).pattern());
    }
}
