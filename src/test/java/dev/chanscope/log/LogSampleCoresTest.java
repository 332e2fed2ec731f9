package dev.chanscope.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.binary.BinaryScanner;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.Pattern;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.PanicSite;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.testing.SampleCores;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code chanscope log --binary BIN stderr} on every sample core's runtime stderr (captured in the
 * same run as the core): the same panic, the same panicking goroutine and the same pattern as the
 * core's diagnosis (DiagnosisTest holds the core's diagnosis to the ground truth, RuntimeOracleTest
 * the core's goroutines to this stderr), or undetermined; never another pattern at 0.8 or more.
 * No gdb: the log path reads only the binary.
 */
class LogSampleCoresTest {
    /** pattern outcome → count, with and without the source, printed at the end (docs/log.md). */
    private static final Map<String, Integer> TALLY = new ConcurrentHashMap<>();

    static Stream<SampleCores.Entry> samples() {
        return SampleCores.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void theLogGivesTheCoresPanicGoroutineAndPattern(SampleCores.Entry e) {
        List<Traceback> all = TracebackParser.parse(e.stderrText());
        assertEquals(1, all.size());
        try (ElfFile exe = ElfFile.open(e.binary())) {
            Pclntab pcln = BinaryScanner.pclntabOf(exe);
            LogSnapshot.Binary bin = new LogSnapshot.Binary(pcln, BinaryScanner.scan(exe, pcln));
            check(e, LogAnalyzer.analyze(all, 1, e.id(), bin, "binary", new SourceIndex(List.of(SampleCores.fixturesDir())),
                    false), "source");
            check(e, LogAnalyzer.analyze(all, 1, e.id(), bin, "binary", SourceIndex.none(), false), "no-source");
        }
    }

    private static void check(SampleCores.Entry e, LogAnalysis a, String mode) {
        BinaryCheck c = a.model().check().orElseThrow();
        assertTrue(c.matches(), e + ": " + c.describe());
        PanicRecord p = a.model().snapshot().panic().orElseThrow();
        if (e.truth().panicMessage() != null) {
            assertEquals(e.truth().panicMessage(), p.message());
            assertEquals(e.truth().panicKind(), p.kind().id());
            // the goroutine the runtime printed first, which RuntimeOracleTest ties to the core's
            assertEquals(a.traceback().crashing().orElseThrow().id(), p.goroutineId());
            for (SampleCores.Site v : e.truth().victim()) {
                assertTrue(p.userFrame().map(f -> f.file().endsWith("/" + v.file()) && f.line() == v.line())
                        .orElse(false), e + ": victim " + p.userFrame() + " is not " + v);
            }
            if (!e.truth().panicSite().isEmpty() && p.site() != PanicSite.OTHER) {
                assertTrue(e.truth().panicSite().contains(p.site().id()), p.site().id() + " not in " + e.truth().panicSite());
            }
        }
        Diagnosis d = a.diagnosis().orElseThrow();
        boolean same = d.pattern().id().equals(e.truth().pattern());
        String outcome = same ? "same" : d.pattern() == Pattern.UNDETERMINED ? "undetermined" : "different";
        TALLY.merge(mode + " " + outcome + (d.confidence() >= 0.8 ? " >=0.8" : " <0.8"), 1, Integer::sum);
        if (!same) {
            assertTrue(d.confidence() < 0.8, e + " (" + mode + "): " + d.pattern().id() + " at " + d.confidence()
                    + " where the core says " + e.truth().pattern() + ": " + d.headline());
        }
        if (same && d.confidence() >= 0.8 && !e.truth().closer().isEmpty() && d.pattern() != Pattern.CLOSE_OF_NIL
                && d.basis() != Diagnosis.Basis.UNDECIDED) {
            var closer = d.closer().orElseThrow();
            assertTrue(e.truth().closer().stream().anyMatch(x -> closer.site().source().file().endsWith("/" + x.file())
                    && closer.site().source().line() == x.line()), e + ": closer " + closer.site().source());
        }
        assertFalse(d.missing().isEmpty(), "a verdict from a log says what a core would add");
    }

    @AfterAll
    static void tally() {
        System.out.println("LogSampleCoresTest: " + new java.util.TreeMap<>(TALLY));
    }
}
