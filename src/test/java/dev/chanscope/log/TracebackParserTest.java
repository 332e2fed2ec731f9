package dev.chanscope.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser on tracebacks captured from real runs (scripts/capture-tracebacks): three fixture
 * programs crashed by every Go release from 1.18 to 1.27 at every GOTRACEBACK level, each also
 * as kubectl --timestamps and docker json-file logs; and the runtime's stderr of every sample core.
 */
class TracebackParserTest {
    static final Path DIR = Path.of("src/test/resources/tracebacks");

    /** A captured stderr: go1.X.Y/FIXTURE-LEVEL.txt. */
    record Capture(Path file, String go, int minor, String fixture, String level) {
        @Override
        public String toString() {
            return go + "/" + fixture + "-" + level;
        }

        String text() {
            return read(file);
        }
    }

    static Stream<Capture> captures() throws IOException {
        List<Capture> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(DIR)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                // samples/ holds the sample binaries' runs (LogDefaultLevelTest)
                if (!name.endsWith(".txt") || name.endsWith(".kubectl.txt") || !p.getParent().getParent().equals(DIR)) {
                    continue;
                }
                String go = p.getParent().getFileName().toString();
                String base = name.substring(0, name.length() - 4);
                int dash = base.lastIndexOf('-');
                int minor = Integer.parseInt(go.split("\\.")[1]);
                out.add(new Capture(p, go, minor, base.substring(0, dash), base.substring(dash + 1)));
            }
        }
        return out.stream();
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyReleaseAndLevelWasCaptured() throws IOException {
        List<Capture> all = captures().toList();
        for (int minor = 18; minor <= 27; minor++) {
            for (String level : List.of("none", "single", "all", "system", "crash")) {
                int m = minor;
                assertTrue(all.stream().anyMatch(c -> c.minor() == m && c.level().equals(level) && c.fixture()
                        .equals("multi-closer")), "go1." + minor + " multi-closer " + level);
            }
        }
        assertTrue(all.size() >= 140, "captures: " + all.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void parsesWhatTheRuntimePrinted(Capture c) {
        List<Traceback> ts = TracebackParser.parse(c.text());
        assertEquals(1, ts.size(), "one crash");
        Traceback t = ts.get(0);
        assertEquals(1, t.firstLine());
        switch (c.fixture()) {
            case "multi-closer", "recovered-repanic" -> {
                assertEquals("send on closed channel", t.panic().orElseThrow().message());
                assertTrue(t.signals().isEmpty(), "a panic, no signal: " + t.signals());
            }
            case "watchdog-abort" -> {
                assertTrue(t.panics().isEmpty());
                assertEquals("SIGABRT", t.signals().get(0).name());
                assertEquals("abort", t.signals().get(0).description());
                assertTrue(t.signals().get(0).detail().startsWith("PC=0x"), t.signals().get(0).detail());
            }
            default -> throw new AssertionError(c.fixture());
        }
        if (c.fixture().equals("recovered-repanic")) {
            if (c.minor() >= 25) { // runtime/panic.go printpanics: "[recovered, repanicked]" from 1.25
                assertEquals(1, t.panics().size());
                assertTrue(t.panics().get(0).recovered() && t.panics().get(0).repanicked());
            } else {
                assertEquals(2, t.panics().size());
                assertTrue(t.panics().get(0).recovered());
                assertFalse(t.panics().get(1).recovered());
            }
        }
        String level = t.level();
        if (c.fixture().equals("watchdog-abort")) {
            // a fatal signal prints every goroutine with the runtime's frames, whatever the setting
            assertTrue(Set.of("none", "system", "crash").contains(level), level);
            assertEquals(level.equals("none"), t.userGoroutines().isEmpty());
        } else {
            switch (c.level()) {
                case "none", "single", "all", "system" -> assertEquals(c.level(), level);
                case "crash" -> assertEquals("system", level, "a panic at crash prints what system prints");
                default -> throw new AssertionError(c.level());
            }
        }
        if (level.equals("none")) {
            assertTrue(t.goroutines().isEmpty());
            return;
        }
        boolean system = level.equals("system") || level.equals("crash");
        for (TracebackGoroutine g : t.goroutines()) {
            assertFalse(g.state().isEmpty(), "goroutine " + g.id());
            assertFalse(g.frames().isEmpty() && !g.unavailable(), c + ": goroutine " + g.id() + " has no frames");
            for (TracebackFrame f : g.frames()) {
                assertTrue(f.line() > 0, f.toString());
                assertEquals(!f.inlined(), f.offset().isPresent() || f.symbol().equals("runtime.goexit")
                        && f.offset().isPresent(), "an offset exactly when not inlined: " + f);
                if (system && !f.inlined() && g == t.crashing().orElseThrow() && !c.fixture().equals("watchdog-abort")) {
                    assertTrue(f.pc().isPresent() && f.sp().isPresent() && f.fp().isPresent(), "fp/sp/pc: " + f);
                }
            }
            // goroutineheader prints gp= m= mp= from Go 1.22, at system level or for the throwing goroutine
            if (system && c.minor() >= 22) {
                assertTrue(g.gp().isPresent(), c + ": gp of goroutine " + g.id());
            }
            if (c.minor() < 22) {
                assertTrue(g.gp().isEmpty());
            }
            g.createdBy().ifPresent(cb -> {
                assertTrue(cb.line() > 0);
                // printcreatedby1 prints "in goroutine N" from Go 1.21
                assertEquals(c.minor() >= 21, cb.parentId() > 0, c + ": " + cb);
            });
        }
        if (!c.fixture().equals("watchdog-abort")) {
            TracebackGoroutine g = t.crashing().orElseThrow();
            assertEquals("running", g.state());
            String victim = c.fixture().equals("multi-closer") ? "main.(*Collector).scrapeLoop" : "main.(*Gateway).fanout.func1";
            int line = c.fixture().equals("multi-closer") ? 92 : 70;
            assertTrue(g.frames().stream().anyMatch(f -> f.function().equals(victim) && f.line() == line
                    && f.file().endsWith(c.fixture() + "/main.go")), c + ": " + g.frames());
            assertTrue(g.createdBy().isPresent());
            if (system) {
                TracebackFrame chansend = g.frames().stream().filter(f -> f.function().equals("runtime.chansend"))
                        .findFirst().orElseThrow();
                assertTrue(chansend.firstWord().isPresent(), "the channel is chansend's first argument: " + chansend);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void kubectlTimestampsAndDockerJsonParseAsThePlainText(Capture c) {
        if (!c.level().equals("all")) {
            return;
        }
        Traceback plain = TracebackParser.parse(c.text()).get(0);
        for (String ext : List.of(".kubectl.txt", ".docker.json")) {
            Path p = c.file().resolveSibling(c.fixture() + "-all" + ext);
            List<Traceback> ts = TracebackParser.parse(read(p));
            assertEquals(1, ts.size(), p.toString());
            assertEquals(plain.panics(), ts.get(0).panics(), p.toString());
            assertEquals(plain.signals(), ts.get(0).signals(), p.toString());
            assertEquals(plain.goroutines(), ts.get(0).goroutines(), p.toString());
        }
    }

    @Test
    void severalCrashesInOneLogTheLastFirst() {
        String first = read(DIR.resolve("go1.21.13/multi-closer-all.txt"));
        String second = read(DIR.resolve("go1.27.4/recovered-repanic-all.txt"));
        String log = "service starting\nlistening on :8080\n" + first + "restarted by systemd\nservice starting\n" + second;
        List<Traceback> ts = TracebackParser.parse(log);
        assertEquals(2, ts.size());
        assertTrue(ts.get(0).panic().orElseThrow().repanicked(), "the last crash first");
        assertEquals(3, ts.get(1).firstLine());
        assertTrue(ts.get(0).firstLine() > ts.get(1).lastLine());
        assertEquals(TracebackParser.parse(first).get(0).goroutines(), ts.get(1).goroutines());
        assertEquals(TracebackParser.parse(second).get(0).goroutines(), ts.get(0).goroutines());
    }

    @Test
    void prefixesOfCollectorsAreStripped() {
        String plain = read(DIR.resolve("go1.26.8/multi-closer-all.txt"));
        Traceback want = TracebackParser.parse(plain).get(0);
        List<String> forms = new ArrayList<>();
        StringBuilder journal = new StringBuilder();
        StringBuilder pod = new StringBuilder();
        StringBuilder cri = new StringBuilder();
        StringBuilder zap = new StringBuilder();
        StringBuilder oneRecord = new StringBuilder();
        for (String l : plain.split("\n", -1)) {
            journal.append("Dec 06 07:05:01 node-3 collector[812]: ").append(l).append('\n');
            pod.append("[pod/collector-7d9f5/app] ").append(l).append('\n');
            cri.append("2026-12-06T07:05:01.5Z stderr F ").append(l).append('\n');
            zap.append("{\"level\":\"error\",\"msg\":").append(json(l)).append("}\n");
        }
        oneRecord.append("{\"ts\":1,\"message\":").append(json(plain)).append("}\n");
        forms.add(journal.toString());
        forms.add(pod.toString());
        forms.add(cri.toString());
        forms.add(zap.toString());
        forms.add(oneRecord.toString());
        // a prefix no pattern knows, learned from the lines where the runtime's text follows it
        forms.add(plain.lines().map(l -> "collector-7d9f5 | app | " + l).reduce("", (a, b) -> a + b + "\n"));
        for (String f : forms) {
            List<Traceback> ts = TracebackParser.parse(f);
            assertEquals(1, ts.size(), f.substring(0, 80));
            assertEquals(want.panics(), ts.get(0).panics(), f.substring(0, 80));
            assertEquals(want.goroutines(), ts.get(0).goroutines(), f.substring(0, 80));
        }
    }

    /**
     * Formats the captures do not reach, written as the runtime source prints them (the
     * functions named in each comment, Go 1.27.4 unless said otherwise).
     */
    @Test
    void rarerFormatsOfTheRuntimeSource() {
        String text = String.join("\n",
                // panic.go printpanics + the signal line of a nil dereference
                "panic: runtime error: invalid memory address or nil pointer dereference",
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2f0c]",
                "",
                // goroutineheader: labels (GODEBUG=tracebacklabels=1, 1.27), a bubble (1.25+), minutes, locked
                "goroutine 7 [chan send, 3 minutes, locked to thread, synctest bubble 2] {job: \"sync\"}:",
                "main.(*W).run(0xc000010000, {0x4c07d0, 0x1}, _, ...)",
                "\t/src/w.go:12 +0x2f",
                // 1.21+: the middle of a deep stack
                "...5 frames elided...",
                "main.Map[...](...)",
                "\t/src/m.go:3",
                "main.main()",
                "\t/src/m.go:9 +0x1c",
                "created by main.start in goroutine 1",
                "\t/src/w.go:40 +0x8a",
                "",
                "goroutine 9 [running]:",
                "\tgoroutine running on other thread; stack unavailable",
                "");
        Traceback t = TracebackParser.parse(text).get(0);
        assertEquals("runtime error: invalid memory address or nil pointer dereference", t.panic().orElseThrow().message());
        assertEquals(new Traceback.Signal("SIGSEGV", "segmentation violation", "code=0x1 addr=0x0 pc=0x4a2f0c"),
                t.signals().get(0));
        TracebackGoroutine g = t.goroutines().get(0);
        assertEquals("chan send", g.state());
        assertEquals(3, g.minutes());
        assertTrue(g.lockedToThread() && g.elided());
        assertEquals(3, g.frames().size());
        assertEquals(0xc000010000L, g.frames().get(0).firstWord().getAsLong());
        assertTrue(g.frames().get(1).inlined());
        assertEquals(1, g.createdBy().orElseThrow().parentId());
        assertTrue(t.goroutines().get(1).unavailable());
        // a first argument the runtime is not sure of (regabi spill slot) or an aggregate is not an address
        assertTrue(new TracebackFrame("f", "0xc000010000?, 0x1", "f.go", 1, java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), java.util.OptionalLong.empty())
                .firstWord().isEmpty());
        // signal_unix.go fatalsignal: a signal beyond sigtable; then runtime stack: (a throw's g0), skipped
        String other = String.join("\n", "Signal 40", "PC=0x46f641 m=0 sigcode=-6", "", "fatal error: unexpected signal",
                "", "runtime stack:", "runtime.throw({0x4b1c2e?, 0x0?})", "\t/go/src/runtime/panic.go:1101 +0x48",
                "", "goroutine 1 [running]:", "main.main()", "\t/src/m.go:9 +0x1c", "");
        List<Traceback> ts = TracebackParser.parse(other);
        assertEquals(1, ts.size(), "the signal and the fatal error before any goroutine are one crash");
        Traceback fatal = ts.get(0);
        assertEquals("unexpected signal", fatal.fatalError().orElseThrow());
        assertEquals("Signal 40", fatal.signals().get(0).name());
        assertEquals(1, fatal.goroutines().size(), "runtime stack: is not a goroutine");
        assertEquals("main.main", fatal.goroutines().get(0).frames().get(0).function());
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t").replace("\n", "\\n") + "\"";
    }

    static Stream<SampleCores.Entry> samples() {
        return SampleCores.all().stream();
    }

    /** The runtime's stderr saved with every sample core: the panic and the victim the truth names. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleCoresStderr(SampleCores.Entry e) {
        List<Traceback> ts = TracebackParser.parse(e.stderrText());
        assertEquals(1, ts.size());
        Traceback t = ts.get(0);
        if (e.truth().panicMessage() != null) {
            assertEquals(e.truth().panicMessage(), t.panic().orElseThrow().message());
        } else {
            assertTrue(t.panics().isEmpty());
            assertTrue(!t.signals().isEmpty() || t.fatalError().isPresent());
        }
        for (SampleCores.Site v : e.truth().victim()) {
            TracebackGoroutine g = t.crashing().orElseThrow();
            assertTrue(g.frames().stream().anyMatch(f -> f.line() == v.line() && f.file().endsWith(v.file())),
                    e + ": victim " + v.function() + " at " + v.line() + " in " + g.frames());
        }
        assertFalse(t.userGoroutines().isEmpty());
    }
}
