package dev.chanscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.chanscope.cli.Main;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/schema/chanscope-report.schema.json against real output, with networknt's validator: the
 * analyze report of every base fixture under the newest Go version of the set, of each build
 * kind's first sample and of the other Go versions' panics that are not sends (so every panic
 * kind, site and pattern the samples have), the golden reports, and the batch lines of each
 * status a run can produce without waiting for a timeout (ok, error, skipped).
 */
class JsonSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMA = SampleCores.projectDir().resolve("docs/schema/chanscope-report.schema.json");

    @TempDir
    Path tmp;

    private static JsonSchema schema(String def) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(SCHEMA.toFile());
        root.set("$ref", new TextNode("#/$defs/" + def));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
    }

    private static void assertValid(JsonSchema schema, JsonNode json, String what) {
        Set<ValidationMessage> errors = schema.validate(json);
        assertTrue(errors.isEmpty(), what + " does not follow the schema: " + errors);
    }

    static Stream<SampleCores.Entry> samples() {
        List<String> versions = SampleCores.goVersions();
        String newest = versions.get(versions.size() - 1);
        Set<SampleCores.Entry> chosen = new LinkedHashSet<>(SampleCores.forGo(newest));
        SampleCores.all().stream().filter(e -> !e.isStatic())
                .collect(java.util.stream.Collectors.toMap(e -> e.goVersion() + e.build(), e -> e, (a, b) -> a,
                        java.util.LinkedHashMap::new))
                .values().forEach(chosen::add);
        SampleCores.base().stream().filter(e -> !e.goVersion().equals(newest))
                .filter(e -> !"send on closed channel".equals(e.truth().panicMessage()))
                .forEach(chosen::add);
        return chosen.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void analyzeJsonFollowsTheSchema(SampleCores.Entry e) throws IOException {
        String json = ReportSamples.of(e, true).json();
        assertValid(schema("report"), JSON.readTree(json), e.id());
    }

    @Test
    void goldenReportsFollowTheSchemaAndAWrongOneDoesNot() throws IOException {
        JsonSchema report = schema("report");
        List<Path> golden;
        try (Stream<Path> s = Files.list(SampleCores.projectDir().resolve("src/test/resources/golden"))) {
            golden = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(golden.isEmpty());
        for (Path p : golden) {
            assertValid(report, JSON.readTree(p.toFile()), p.getFileName().toString());
        }
        // The schema must be able to say no: a pattern nobody documents, a decimal address, a
        // report without goroutines.
        ObjectNode bad = (ObjectNode) JSON.readTree(golden.get(0).toFile());
        ((ObjectNode) bad.get("diagnosis")).put("pattern", "race-condition");
        assertFalse(report.validate(bad).isEmpty(), "an undocumented pattern passed");
        bad = (ObjectNode) JSON.readTree(golden.get(0).toFile());
        ((ObjectNode) bad.get("goroutines").get(0)).put("address", 1234);
        assertFalse(report.validate(bad).isEmpty(), "a numeric address passed");
        bad = (ObjectNode) JSON.readTree(golden.get(0).toFile());
        bad.remove("goroutines");
        assertFalse(report.validate(bad).isEmpty(), "a report without goroutines passed");
    }

    /**
     * chanscope log's JSON (the analyze schema with input.kind "log" and a log object) on the
     * runtime's stderr of the samples of one Go release, with and without the binary.
     */
    @Test
    void logJsonFollowsTheSchema() throws IOException {
        JsonSchema report = schema("report");
        List<String> versions = SampleCores.goVersions();
        for (SampleCores.Entry e : SampleCores.forGo(versions.get(versions.size() - 1))) {
            for (boolean withBinary : new boolean[] {true, false}) {
                var a = dev.chanscope.log.LogAnalyzer.analyze(e.stderrText(), e.id(),
                        withBinary ? java.util.Optional.of(e.binary()) : java.util.Optional.empty(), "binary",
                        dev.chanscope.diagnose.SourceIndex.none(), 1, false);
                JsonReport jr = new JsonReport();
                JsonNode json = JSON.readTree(jr.toJson(new dev.chanscope.log.LogReport(
                        dev.chanscope.diagnose.SourceIndex.none(), false).json(jr, a)));
                assertValid(report, json, e.id() + " log" + (withBinary ? " --binary" : ""));
                assertEquals("log", json.get("input").get("kind").asText(), e.id());
                assertEquals(dev.chanscope.log.LogSnapshot.NO_LAYOUTS, json.get("layouts").asText(),
                        e.id() + ": a log reads no runtime layouts");
            }
        }
    }

    /** A real batch run: one core analyzed, its binary and notes skipped, an empty "core" an error. */
    @Test
    void batchLinesFollowTheSchema() throws Exception {
        SampleCores.Entry e = SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1),
                "multi-closer");
        Path empty = Files.createFile(tmp.resolve("core.empty"));
        Path out = tmp.resolve("out.jsonl");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "batch", "-q", "-j", "1",
                "--binary-search", e.dir().toString(), "-o", out.toString(), e.dir().toString(), empty.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile());
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "batch did not finish");
        assertEquals(1, p.exitValue(), Files.readString(tmp.resolve("log"))); // the empty core is an error
        JsonSchema line = schema("batchLine");
        Set<String> statuses = new LinkedHashSet<>();
        for (String l : Files.readAllLines(out)) {
            JsonNode j = JSON.readTree(l);
            assertValid(line, j, "batch line " + l.substring(0, Math.min(200, l.length())));
            statuses.add(j.get("status").asText());
        }
        assertEquals(Set.of("ok", "error", "skipped"), statuses);
        // and an ok line that lost its report is refused
        ObjectNode ok = (ObjectNode) Files.readAllLines(out).stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        }).filter(j -> j.get("status").asText().equals("ok")).findFirst().orElseThrow();
        ok.remove("goroutines");
        assertFalse(line.validate(ok).isEmpty(), "an ok line without its report passed");
    }
}
