package dev.chanscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.ByteStreamWriter;
import dev.chanscope.batch.BatchLine;
import dev.chanscope.batch.CoreReport;
import dev.chanscope.testing.SampleCores;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The report is written three ways: streamed as characters, streamed as UTF-8 bytes onto
 * stdout (frames and whole frame lists copied from text made once), and as a tree (batch,
 * attach, the golden files). All must give the same document, on cores where many goroutines
 * share their stacks (the copies' case) and where few do.
 */
class JsonReportPathsTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("1.26.8", "many-goroutines"),
                Arguments.of("1.26.8", "multi-closer"),
                Arguments.of("1.22.12", "worker-pool"));
    }

    private static final JsonReport.Input IN = new JsonReport.Input("core", "binary", java.util.List.of());

    @ParameterizedTest(name = "go{0} {1}")
    @MethodSource("cases")
    void streamedCharsStreamedBytesAndTheTreeAgree(String go, String name) {
        ReportSamples r = ReportSamples.of(SampleCores.get(go, name), true);
        JsonReport jr = new JsonReport();
        JsonReport.Options all = JsonReport.Options.full().withDiagnosis(Optional.of(r.diagnosis()));
        for (JsonReport.Options o : new JsonReport.Options[] {all, all.withGoroutines(true, 2),
                all.listing(GoroutineFilter.ALL, true)}) {
            String tree = jr.toJson(jr.build(r.snapshot(), IN, o)) + "\n";
            StringWriter chars = new StringWriter();
            jr.print(new PrintWriter(chars), r.snapshot(), IN, o);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            jr.print(new ByteStreamWriter(Writer.nullWriter(), bytes), r.snapshot(), IN, o);
            assertEquals(tree, chars.toString());
            assertEquals(tree, bytes.toString(StandardCharsets.UTF_8));
        }
        // the copies were used: some goroutines share their whole stack
        long distinct = r.snapshot().goroutines().stream().map(g -> g.frames()).distinct().count();
        if (name.equals("many-goroutines")) {
            assertTrue(distinct < r.snapshot().goroutines().size() / 2, distinct + " distinct stacks");
        }
    }

    @ParameterizedTest(name = "go{0} {1}")
    @MethodSource("cases")
    void aBatchLineWithItsListStreamedEqualsTheLineFromTheTree(String go, String name) {
        ReportSamples r = ReportSamples.of(SampleCores.get(go, name), true);
        JsonReport jr = new JsonReport();
        JsonReport.Options all = JsonReport.Options.full().withDiagnosis(Optional.of(r.diagnosis()));
        ObjectNode whole = jr.build(r.snapshot(), IN, all);
        ObjectNode head = jr.build(r.snapshot(), IN, all.withGoroutines(false, -1));
        BatchLine fromTree = BatchLine.analyzed(CoreReport.of(whole), "ab", 1);
        BatchLine streamed = BatchLine.analyzed(new CoreReport(head,
                Optional.of(g -> jr.goroutineList(g, r.snapshot(), all))), "ab", 1);
        assertEquals(fromTree.json(), streamed.json());
    }
}
