package dev.chanscope.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.core.CoreTarget;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.goruntime.StackUnwinder;
import dev.chanscope.testing.SampleCores;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Without the source, the channel operands of the binary tie the ground truth's closer to the
 * victim's channel (docs/diagnosis.md: same-field, same-variable), on sample cores where the
 * other evidence alone left the verdict undetermined or named another closer.
 */
class OperandEvidenceTest {
    static Stream<String> goVersions() {
        return SampleCores.goVersions().stream();
    }

    private static Diagnosis diagnose(String goVersion, String name) {
        SampleCores.Entry e = SampleCores.get(goVersion, name);
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            GoRuntime rt = GoRuntime.of(t);
            Snapshot s = new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(rt, List.of());
            return DiagnosisRunner.run(rt, t.executableFile(), s, SourceIndex.none());
        }
    }

    private static Evidence evidence(Diagnosis d, String kind) {
        return d.evidence().stream().filter(x -> x.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + d.evidence()));
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void theSameFieldOfTheSameTypeNamedFromDwarf(String v) {
        Diagnosis d = diagnose(v, "multi-closer");
        assertEquals(Pattern.MULTI_CLOSER, d.pattern());
        Evidence e = evidence(d, "same-field");
        assertTrue(e.text().contains("close(recv.results)") && e.text().contains("main.Collector"), e.text());
        // Both closing roots are tied by the field, and neither closing function sends on it.
        assertTrue(d.confidence() >= 0.8, "confidence " + d.confidence());
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void closuresCapturingTheSameLocalTieTheCloserWithoutTheSource(String v) {
        // close(out) in fanIn.func2 and out <- rec in fanIn.func1: both capture fanIn's out.
        Diagnosis d = diagnose(v, "many-goroutines");
        assertEquals(Pattern.PREMATURE_CLOSE, d.pattern());
        assertEquals("main.fanIn.func2", d.closer().orElseThrow().function());
        assertTrue(evidence(d, "same-variable").text().contains("runtime.makechan"));
        // The rule of exclusion stays below 0.8 without the source.
        assertTrue(d.confidence() < 0.8, "confidence " + d.confidence());

        Diagnosis r = diagnose(v, "recovered-repanic");
        assertEquals(Pattern.PREMATURE_CLOSE, r.pattern());
        assertEquals(81, r.closer().orElseThrow().site().source().line());
        evidence(r, "same-variable");
    }
}
