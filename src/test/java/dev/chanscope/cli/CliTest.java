package dev.chanscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a user meets it: run as a separate JVM, like the launcher does, so exit
 * codes, stdout and stderr are the real ones.
 */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        pb.environment().putAll(env);
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chanscope did not finish");
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    private static SampleCores.Entry sample(String name) {
        return SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1), name);
    }

    /** One line, no Java stack trace. */
    private static void assertOneLineError(Run r, String mustContain) {
        assertFalse(r.err().contains("\tat "), "stack trace printed:\n" + r.err());
        assertFalse(r.err().contains("Exception"), "exception name printed:\n" + r.err());
        assertEquals(1, r.err().strip().lines().count(), "expected one line, got:\n" + r.err());
        assertTrue(r.err().contains(mustContain), "expected '" + mustContain + "' in: " + r.err());
    }

    @Test
    void analyzeJsonCarriesTheSchemaFields() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(Map.of(), "analyze", "--json", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1, j.get("schemaVersion").asInt());
        assertEquals("go" + e.goVersion(), j.get("goVersion").asText());
        assertEquals("send-on-closed", j.at("/panic/kind").asText());
        assertEquals("send on closed channel", j.at("/panic/message").asText());
        assertTrue(j.at("/panic/goroutine").asLong() > 0);
        assertTrue(j.at("/channel/address").asText().matches("0x[0-9a-f]+"));
        assertTrue(j.at("/channel/closed").asBoolean());
        JsonNode g0 = j.get("goroutines").get(0);
        assertEquals(j.at("/panic/goroutine").asLong(), g0.get("id").asLong(), "the panicking goroutine comes first");
        assertEquals("running", g0.get("status").asText());
        assertTrue(g0.has("waitReason"));
        JsonNode f = g0.get("frames").get(0);
        assertEquals("runtime.gopanic", f.get("function").asText());
        assertTrue(f.get("file").asText().endsWith("panic.go"));
        assertTrue(f.get("line").asInt() > 0);
        assertEquals(List.of("xz"), List.of(j.at("/input/layers/0").asText()));
    }

    @Test
    void analyzeTextLeadsWithThePanic() throws Exception {
        SampleCores.Entry e = sample("double-close");
        Run r = run(Map.of(), "analyze", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("PANIC: close of closed channel"), r.out());
        assertTrue(r.out().indexOf("PANIC:") < r.out().indexOf("PANICKING GOROUTINE"));
        assertTrue(r.out().contains("runtime.closechan"), r.out());
    }

    @Test
    void goroutinesHonoursDepth() throws Exception {
        SampleCores.Entry e = sample("many-goroutines");
        Run r = run(Map.of(), "goroutines", "--json", "-t", "3", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("goroutines").size() >= 1000);
        for (JsonNode g : j.get("goroutines")) {
            assertTrue(g.get("frames").size() <= 3);
        }
    }

    @Test
    void wrongBinaryIsOneClearLine() throws Exception {
        SampleCores.Entry core = sample("multi-closer");
        SampleCores.Entry other = sample("double-close");
        Run r = run(Map.of(), "analyze", "--binary", other.binaryXz().toString(), core.coreXz().toString());
        assertEquals(4, r.exit());
        assertOneLineError(r, "does not match");
    }

    @Test
    void aBinaryIsNotACore() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(Map.of(), "analyze", "--binary", e.binaryXz().toString(), e.binaryXz().toString());
        assertEquals(3, r.exit());
        assertOneLineError(r, "not a core");
    }

    @Test
    void aTextFileIsNotACore() throws Exception {
        Path f = tmp.resolve("notes.txt");
        Files.writeString(f, "this is not a core dump\n".repeat(10), StandardCharsets.UTF_8);
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(Map.of(), "analyze", "--binary", e.binaryXz().toString(), f.toString());
        assertEquals(3, r.exit());
        assertOneLineError(r, "not an ELF");
    }

    @Test
    void anEmptyFileIsNotACore() throws Exception {
        Path f = tmp.resolve("empty");
        Files.createFile(f);
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(Map.of(), "analyze", "--binary", e.binaryXz().toString(), f.toString());
        assertEquals(3, r.exit());
        assertOneLineError(r, "empty");
    }

    @Test
    void missingGdbSaysWhatToInstall() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(Map.of("CHANSCOPE_GDB", tmp.resolve("no-such-gdb").toString()),
                "analyze", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(5, r.exit());
        assertOneLineError(r, "gdb");
        assertTrue(r.err().contains("install"), r.err());
    }

    @Test
    void missingCoreAndBadOptionsAreUsageErrors() throws Exception {
        Run r = run(Map.of(), "analyze", tmp.resolve("nope").toString(), "--binary", tmp.resolve("nobin").toString());
        assertEquals(3, r.exit());
        assertFalse(r.err().contains("\tat "));
        Run u = run(Map.of(), "analyze", "--bogus");
        assertEquals(2, u.exit());
        Run h = run(Map.of(), "analyze", "--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().contains("--binary"));
    }
}
