package dev.chanscope.report;

import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.DiagnosisRunner;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.goruntime.StackUnwinder;
import dev.chanscope.core.CoreTarget;
import dev.chanscope.testing.SampleCores;
import java.util.List;
import java.util.Optional;

/** A sample core read and diagnosed once, and its three reports. */
record ReportSamples(SampleCores.Entry entry, Snapshot snapshot, Diagnosis diagnosis, SourceIndex source) {

    static ReportSamples of(SampleCores.Entry e, boolean withSource) {
        SourceIndex source = withSource ? new SourceIndex(List.of(SampleCores.fixturesDir())) : SourceIndex.none();
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            GoRuntime rt = GoRuntime.of(t);
            Snapshot s = new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(rt, List.of());
            return new ReportSamples(e, s, DiagnosisRunner.run(rt, t.executableFile(), s, source), source);
        }
    }

    /** Names that do not depend on where the sample cores were decompressed. */
    JsonReport.Input input() {
        return new JsonReport.Input("core.xz", "binary.xz", List.of("xz"));
    }

    String text() {
        return new TextReport().analyze(snapshot, input(), Optional.of(diagnosis), source);
    }

    String markdown() {
        return new MarkdownReport(source).render(snapshot, input(), Optional.of(diagnosis))
                .replace("chanscope " + Version.current(), "chanscope VERSION");
    }

    String json() {
        JsonReport jr = new JsonReport();
        return jr.toJson(jr.withDiagnosis(jr.build(snapshot, input(), true, -1), diagnosis))
                .replace("chanscope " + Version.current(), "chanscope VERSION");
    }
}
