package dev.chanscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chanscope log} and {@code batch} with logs, as a user runs them: a separate JVM, exit codes, one-line errors. */
class LogCliTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private Run run(Path stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chanscope did not finish");
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    private static SampleCores.Entry sample(String name) {
        return SampleCores.get("1.26.8", name);
    }

    @Test
    void jsonIsTheAnalyzeSchemaWithInputKindLog() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(null, "log", "--json", "--binary", e.binaryXz().toString(), e.stderr().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1, j.get("schemaVersion").asInt());
        assertEquals("log", j.at("/input/kind").asText());
        assertEquals(e.stderr().toString(), j.at("/input/log").asText());
        assertEquals("go1.26.8", j.get("goVersion").asText());
        assertEquals("send on closed channel", j.at("/panic/message").asText());
        long g = j.at("/panic/goroutine").asLong();
        assertEquals(g, j.get("goroutines").get(0).get("id").asLong());
        assertEquals(g, j.at("/panicking/0/goroutine").asLong());
        assertEquals("multi-closer", j.at("/diagnosis/pattern").asText());
        assertTrue(j.at("/diagnosis/confidence").asDouble() <= 0.75, "a log's multi-closer: no exited goroutines");
        assertTrue(j.at("/log/binaryCheck/matches").asBoolean());
        assertTrue(j.at("/log/channel").asText().matches("0x[0-9a-f]+"), "chansend's first argument");
        assertTrue(j.at("/log/coreWouldAdd").size() >= 3);
        assertEquals("chansend-after-park", j.at("/panic/site").asText());
    }

    /** A log cut after its panic line: no stack at all. Partial (exit 1), said, and below 0.8. */
    @Test
    void aLogWithoutAnyStackIsPartialAndBelowEightTenths() throws Exception {
        for (String name : List.of("double-close", "multi-closer")) {
            SampleCores.Entry e = sample(name);
            Path log = tmp.resolve(name + "-cut.log");
            Files.writeString(log, e.stderrText().lines().findFirst().orElseThrow() + "\n");
            Run r = run(null, "log", "--json", "--binary", e.binaryXz().toString(), log.toString());
            assertEquals(1, r.exit(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertTrue(j.get("partial").asBoolean(), r.out());
            assertTrue(j.get("warnings").toString().contains("no goroutine's stack"), j.get("warnings").toString());
            assertTrue(j.at("/diagnosis/confidence").asDouble() < 0.8, name + ": " + j.at("/diagnosis"));
        }
    }

    @Test
    void textSaysItIsFromALogAndReadsStandardInput() throws Exception {
        SampleCores.Entry e = sample("double-close");
        Path log = tmp.resolve("kubectl.log");
        StringBuilder b = new StringBuilder("2026-12-06T07:00:00.5Z starting\n");
        for (String l : e.stderrText().split("\n", -1)) {
            b.append("2026-12-06T07:00:01.123456789Z ").append(l).append('\n');
        }
        Files.writeString(log, b.toString());
        Run r = run(log, "log", "--binary", e.binaryXz().toString(), "--source-root",
                SampleCores.fixturesDir().toString(), "-");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("chanscope: log (standard input), lines 2-"), r.out());
        assertTrue(r.out().contains("From a crash log, not a core"), r.out());
        assertTrue(r.out().contains("VERDICT: double-close"), r.out());
        assertTrue(r.out().contains("GOROUTINES (grouped by identical stacks)"), r.out());
    }

    @Test
    void markdownForTheTicket() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(null, "log", "--format", "markdown", "--binary", e.binaryXz().toString(), e.stderr().toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("## chanscope: multi-closer: send on closed channel (from a log)"), r.out());
        assertTrue(r.out().contains("_From a crash log, not a core. A core would add:_"), r.out());
        assertTrue(r.out().contains("### Goroutines, grouped by identical stacks"), r.out());
        assertFalse(r.out().contains("the core cannot tell"), "the reading is a log");
    }

    @Test
    void withoutTheBinaryNoVerdictOnlyCandidates() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(null, "log", "--json", "--source-root", SampleCores.fixturesDir().toString(), e.stderr().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertFalse(j.has("diagnosis"), "no verdict without the binary");
        assertTrue(j.at("/log/binaryCheck").isNull());
        JsonNode c = j.at("/log/candidates");
        // the two close(c.results) of the fixture: the watchdog's and the admin handler's
        assertEquals(2, c.size(), c.toString());
        for (JsonNode x : c) {
            assertTrue(x.get("statement").asText().contains("close(c.results)"), x.toString());
        }
        Run t = run(null, "log", e.stderr().toString());
        assertTrue(t.out().contains("No verdict without the binary"), t.out());
    }

    @Test
    void aWrongBinaryIsRefusedWithExit4AndOneLine() throws Exception {
        Run r = run(null, "log", "--binary", sample("double-close").binaryXz().toString(),
                sample("multi-closer").stderr().toString());
        assertEquals(4, r.exit(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("is not the binary of"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void aFileWithoutATracebackIsBadInputAndACrashBeyondTheLogIsUsage() throws Exception {
        Path f = tmp.resolve("app.log");
        Files.writeString(f, "INFO started\nINFO stopped\n");
        Run r = run(null, "log", f.toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("holds no Go crash"), r.err());
        Run c = run(null, "log", "--crash", "2", sample("multi-closer").stderr().toString());
        assertEquals(2, c.exit());
        assertTrue(c.err().contains("holds 1 crash"), c.err());
    }

    @Test
    void batchAnalyzesALogBesideTheCores() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Path dir = Files.createDirectories(tmp.resolve("in"));
        Files.copy(e.stderr(), dir.resolve("web.log"));
        Files.writeString(dir.resolve("readme.txt"), "not a log\n");
        Run r = run(null, "batch", "-q", "-j", "1", "--binary", e.binaryXz().toString(), dir.toString());
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.out().strip().split("\n")) {
            lines.add(new ObjectMapper().readTree(l));
        }
        JsonNode log = lines.stream().filter(x -> x.at("/input/kind").asText().equals("log")).findFirst().orElseThrow();
        assertEquals("ok", log.get("status").asText());
        assertEquals("multi-closer", log.at("/diagnosis/pattern").asText());
        assertTrue(log.at("/input/sha256").asText().matches("[0-9a-f]{64}"));
        assertTrue(lines.stream().anyMatch(x -> x.get("status").asText().equals("skipped")
                && x.at("/input/core").asText().endsWith("readme.txt")));
        // without --binary a log cannot get a verdict: skipped like any other file (here: no cores, exit 3)
        Run s = run(null, "batch", "-q", "-j", "1", dir.toString());
        assertEquals(3, s.exit(), s.err());
        assertTrue(s.err().contains("skipped 2 other files"), s.err());
    }
}
