package dev.chanscope.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.testing.SampleCores;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What someone paged at 3 a.m. reads first: the first 15 lines of the text report hold the
 * verdict, the line of the close that ran (the truth's closer with closedFirst, or its only
 * one), the victim's line, and the warning when the source was not found.
 */
class ReportFirstLinesTest {
    static Stream<Arguments> samples() {
        return Stream.of("multi-closer", "send-then-close", "defer-close", "double-close", "premature-close",
                        "pool-reaper-signal", "batch-flush-select", "watcher-defer-only")
                .flatMap(n -> Stream.of(Arguments.of(n, true), Arguments.of(n, false)));
    }

    @ParameterizedTest(name = "{0} source={1}")
    @MethodSource("samples")
    void theFirstFifteenLinesSayWhatHappened(String name, boolean withSource) {
        SampleCores.Entry e = SampleCores.get("1.26.8", name);
        ReportSamples r = ReportSamples.of(e, withSource);
        String text = r.text();
        String head = text.lines().limit(15).collect(Collectors.joining("\n"));
        assertTrue(head.contains("VERDICT: " + r.diagnosis().pattern().id()), head);
        if (!r.diagnosis().pattern().id().equals(e.truth().pattern())) {
            return; // an undetermined verdict (without the source) says so; DiagnosisTest checks which
        }
        List<SampleCores.Site> ran = e.truth().closer().stream()
                .filter(c -> c.closedFirst() == null || c.closedFirst()).toList();
        assertTrue(ran.stream().anyMatch(c -> head.contains(c.file() + ":" + c.line())),
                "the close that ran " + ran + " is not in the first 15 lines:\n" + head);
        assertTrue(e.truth().victim().stream().anyMatch(v -> head.contains(v.file() + ":" + v.line())),
                "the victim " + e.truth().victim() + " is not in the first 15 lines:\n" + head);
        if (!withSource) {
            assertTrue(head.contains("WARNING") && head.contains("source not found"), head);
        } else {
            assertFalse(head.contains("source not found"), head);
        }
        assertTrue(head.contains("Fix:"), head);
    }
}
