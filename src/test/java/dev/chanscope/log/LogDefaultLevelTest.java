package dev.chanscope.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.binary.BinaryScanner;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.Pattern;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logs at the default level (GOTRACEBACK=single: the panicking goroutine only, no runtime
 * frames, no channel address) and at all, from the Go 1.26.8 sample binaries themselves: each
 * sample binary was run again with GOTRACEBACK=single and all (GOMAXPROCS=2, no core) and its
 * stderr kept when it crashed as its truth says (src/test/resources/tracebacks/samples/). The
 * victim is found from the binary (the user frame whose call goes to a channel operation), the
 * pattern is the truth's or undetermined, never another at 0.8 or more.
 */
class LogDefaultLevelTest {
    static final Path DIR = Path.of("src/test/resources/tracebacks/samples/go1.26.8");
    private static final java.util.Map<String, Integer> TALLY = new java.util.concurrent.ConcurrentHashMap<>();

    @org.junit.jupiter.api.AfterAll
    static void tally() {
        System.out.println("LogDefaultLevelTest: " + new java.util.TreeMap<>(TALLY));
    }

    static Stream<Path> logs() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void defaultLevelLogsGiveTheTruthOrUndetermined(Path log) throws IOException {
        String file = log.getFileName().toString();
        String name = file.substring(0, file.lastIndexOf('-'));
        SampleCores.Entry e = SampleCores.get("1.26.8", name);
        List<Traceback> all = TracebackParser.parse(Files.readString(log));
        assertEquals(1, all.size());
        try (ElfFile exe = ElfFile.open(e.binary())) {
            Pclntab pcln = BinaryScanner.pclntabOf(exe);
            LogSnapshot.Binary bin = new LogSnapshot.Binary(pcln, BinaryScanner.scan(exe, pcln));
            for (SourceIndex source : List.of(new SourceIndex(List.of(SampleCores.fixturesDir())), SourceIndex.none())) {
                LogAnalysis a = LogAnalyzer.analyze(all, 1, file, bin, "binary", source, false);
                assertTrue(a.model().check().orElseThrow().matches(), a.model().check().get().describe());
                assertTrue(a.model().check().get().checked() > 0, "at least the go statement's offset is checked");
                PanicRecord p = a.model().snapshot().panic().orElseThrow();
                assertEquals(e.truth().panicMessage(), p.message());
                for (SampleCores.Site v : e.truth().victim()) {
                    assertTrue(p.userFrame().map(f -> f.file().endsWith("/" + v.file()) && f.line() == v.line())
                            .orElse(false), "victim " + p.userFrame() + " is not " + v);
                }
                Diagnosis d = a.diagnosis().orElseThrow();
                TALLY.merge((source.searches() ? "source " : "no-source ") + (d.pattern().id().equals(e.truth().pattern())
                        ? "same" : d.pattern().id()) + (d.confidence() >= 0.8 ? " >=0.8" : " <0.8"), 1, Integer::sum);
                // the log's limits (Completeness.limitLog, CloserTiming): what a core would add is listed,
                // premature-close (the rule of exclusion) stays at or below 0.75, and no site is "not yet"
                // because every goroutine of its roots waits before it: a log omits the exited ones
                assertTrue(d.missing().stream().anyMatch(x -> x.startsWith("a core (this is a log)")), d.missing().toString());
                if (d.pattern() == Pattern.PREMATURE_CLOSE) {
                    assertTrue(d.confidence() <= 0.75, "premature-close from a log at " + d.confidence());
                }
                assertTrue(d.closingSites().stream().noneMatch(x -> x.status().equals("not-yet")
                        && x.why().contains("before the close")), d.closingSites().toString());
                if (!d.pattern().id().equals(e.truth().pattern())) {
                    assertTrue(d.confidence() < 0.8, d.pattern().id() + " at " + d.confidence() + ", truth "
                            + e.truth().pattern());
                    if (source.searches()) {
                        // with the source, as with a core: the truth's pattern or undetermined
                        assertEquals(Pattern.UNDETERMINED, d.pattern(), d.headline());
                    }
                }
            }
        }
    }
}
