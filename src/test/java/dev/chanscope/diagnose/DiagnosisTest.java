package dev.chanscope.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.core.CoreTarget;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.goruntime.StackUnwinder;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verdict on every sample core against its ground truth: with the source (found under
 * src/test/go by path suffix) it must be right; with neither source nor recorded paths it must
 * be right or honestly undetermined, and never wrong with confidence 0.8 or more.
 */
class DiagnosisTest {
    static Stream<SampleCores.Entry> cores() {
        return SampleCores.all().stream();
    }

    private static Diagnosis diagnose(SampleCores.Entry e, SourceIndex source) {
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            GoRuntime rt = GoRuntime.of(t);
            Snapshot s = new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(rt, List.of());
            return DiagnosisRunner.run(rt, t.executableFile(), s, source);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cores")
    void withSourceTheVerdictMatchesTheGroundTruth(SampleCores.Entry e) {
        Diagnosis d = diagnose(e, new SourceIndex(List.of(SampleCores.fixturesDir())));
        assertEquals(e.truth().pattern(), d.pattern().id(), d.headline() + "\n" + d.evidence());
        assertTrue(d.confidence() >= 0.5, "confidence " + d.confidence());
        if (!e.truth().closer().isEmpty() && d.pattern() != Pattern.CLOSE_OF_NIL) {
            assertCloserRan(e, d);
        }
        assertVictim(e, d);
        assertFalse(d.evidence().isEmpty());
        assertFalse(d.fix().summary().isBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cores")
    void withoutSourceItIsRightOrSaysUndeterminedAndNeverConfidentlyWrong(SampleCores.Entry e) {
        Diagnosis d = diagnose(e, SourceIndex.none());
        boolean right = e.truth().pattern().equals(d.pattern().id());
        if (right && d.confidence() >= 0.8 && !e.truth().closer().isEmpty() && d.pattern() != Pattern.CLOSE_OF_NIL) {
            assertCloserRan(e, d);
        }
        if (!right) {
            assertTrue(d.confidence() < 0.8, "wrong answer " + d.pattern().id() + " with confidence " + d.confidence());
            if (e.build().equals("race")) {
                // Known gap (docs/compatibility.md): without the source, the race runtime's calls
                // between a field's load and the close hide which field a -race binary closes, so
                // select-close-send reads as multi-closer at 0.62. Still never at 0.8 or more.
                return;
            }
            assertEquals(Pattern.UNDETERMINED, d.pattern(), "wrong pattern " + d.pattern().id() + ": " + d.headline());
            assertFalse(d.missing().isEmpty(), "an undetermined verdict names the missing evidence");
        }
    }

    /**
     * The closer named is the truth's closer that ran ({@code closedFirst}, or the only one);
     * or, when the report says the core cannot tell which site ran, the one that ran is among
     * the closing sites it lists as possible.
     */
    private static void assertCloserRan(SampleCores.Entry e, Diagnosis d) {
        List<SampleCores.Site> ran = e.truth().closer().stream()
                .filter(c -> c.closedFirst() == null || c.closedFirst()).toList();
        assertFalse(ran.isEmpty(), "the truth names no closer that ran");
        var closer = d.closer().orElseThrow(() -> new AssertionError(e + ": no closer named"));
        if (d.basis() == Diagnosis.Basis.UNDECIDED) {
            boolean listed = d.closingSites().stream().filter(x -> !x.status().equals("not-yet"))
                    .anyMatch(x -> ran.stream().anyMatch(c -> at(x.candidate().site().source(), c)));
            assertTrue(listed, "undecided, and the closer that ran is not listed: " + d.closingSites());
            return;
        }
        assertTrue(ran.stream().anyMatch(c -> at(closer.site().source(), c)), "closer " + closer.site().source()
                + " (" + d.basis() + ") is not the one that ran: " + ran + "; sites " + d.closingSites());
    }

    private static void assertVictim(SampleCores.Entry e, Diagnosis d) {
        if (e.truth().victim().isEmpty() || d.pattern() == Pattern.NOT_CHANNEL_PANIC) {
            return;
        }
        var victim = d.sender().orElseThrow(() -> new AssertionError(e + ": no victim named; " + d.headline()));
        assertTrue(e.truth().victim().stream().anyMatch(v -> victim.file().endsWith("/" + v.file())
                && victim.line() == v.line()), "victim " + victim + " is not " + e.truth().victim());
    }

    private static boolean at(dev.chanscope.binary.SourcePos p, SampleCores.Site c) {
        return p.file().endsWith("/" + c.file()) && p.line() == c.line();
    }

    static Path fixtures() {
        return SampleCores.fixturesDir();
    }
}
