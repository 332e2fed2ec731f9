package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/**
 * {@code chanscope batch} and {@code merge} on a corpus of real sample cores: three fixtures
 * crashed under both Go versions (compressed, as committed; their binaries, compressed, in a
 * separate directory found with --binary-search), a core whose binary is missing, a core cut
 * after its ELF header, a text file and a compressed binary.
 */
class BatchCommandTest {
    private static final List<String> FIXTURES = List.of("multi-closer", "not-channel-panic", "double-close");
    private static final String NO_BINARY = "premature-close";

    @TempDir
    static Path dir;

    static BatchCli cli;
    static BatchCli.Run baseline;
    static List<JsonNode> baseLines;
    /** Expected files of the corpus that are cores: path relative to dir, to the sample it is. */
    static Map<String, String> cores = new TreeMap<>();

    @BeforeAll
    static void corpus() throws Exception {
        cli = new BatchCli(dir);
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Path bins = Files.createDirectories(dir.resolve("bins"));
        for (String go : SampleCores.goVersions()) {
            for (String name : FIXTURES) {
                SampleCores.Entry e = SampleCores.get(go, name);
                Path to = Files.createDirectories(corpus.resolve("go" + go)).resolve(name + ".core.xz");
                Files.copy(e.coreXz(), to);
                Files.copy(e.binaryXz(), bins.resolve("go" + go + "-" + name + ".xz"));
                cores.put("corpus/go" + go + "/" + name + ".core.xz", name);
            }
        }
        SampleCores.Entry last = SampleCores.get(latestGo(), NO_BINARY);
        Files.copy(last.coreXz(), Files.createDirectories(corpus.resolve("nobinary")).resolve("core.xz"));
        cores.put("corpus/nobinary/core.xz", NO_BINARY);
        Path junk = Files.createDirectories(corpus.resolve("junk"));
        byte[] header;
        try (InputStream in = new XZInputStream(Files.newInputStream(last.coreXz()))) {
            header = in.readNBytes(64); // the ELF header of a core, and nothing after it
        }
        Files.write(junk.resolve("broken.core"), header);
        cores.put("corpus/junk/broken.core", "broken");
        Files.writeString(junk.resolve("README.txt"), "cores from the fleet\n");
        Files.copy(SampleCores.get(latestGo(), "defer-close").binaryXz(), junk.resolve("server.xz"));

        baseline = cli.run("batch", "--jobs", "1", "--binary-search", "bins", "-o", "base.jsonl",
                "--summary", "base-summary.json", "corpus");
        baseLines = BatchCli.lines(dir.resolve("base.jsonl"));
    }

    private static String latestGo() {
        List<String> v = SampleCores.goVersions();
        return v.get(v.size() - 1);
    }

    @Test
    void oneLinePerCoreWithStatusHashAndTheAnalyzeSchema() throws Exception {
        assertEquals(1, baseline.exit(), "two cores fail, so exit 1: " + baseline.err());
        assertEquals(cores.size(), baseLines.size(), baseline.err());
        // every sample core, the one without its binary and the broken one; the README and the
        // compressed binary are the two files that are not cores
        assertTrue(baseline.err().contains(cores.size() + " cores (of " + (cores.size() + 2)
                + " files; skipped 1 executable, 1 other file)"), baseline.err());
        Map<String, JsonNode> byCore = byCore(baseLines);
        assertEquals(cores.keySet(), byCore.keySet(), "the README and the compressed binary are not cores");
        for (Map.Entry<String, JsonNode> e : byCore.entrySet()) {
            JsonNode l = e.getValue();
            assertEquals(sha256(dir.resolve(e.getKey())), l.at("/input/sha256").asText(), e.getKey());
            assertTrue(l.get("elapsedMs").isIntegralNumber() && l.get("elapsedMs").asLong() >= 0);
            assertEquals(1, l.get("schemaVersion").asInt());
            String fixture = cores.get(e.getKey());
            if (FIXTURES.contains(fixture)) {
                assertTrue(Set.of("ok", "partial").contains(l.get("status").asText()), e.getKey() + ": " + l.get("error"));
                assertTrue(l.get("error").isNull());
                assertEquals(l.get("partial").asBoolean() ? 1 : 0, l.get("exitCode").asInt());
                assertTrue(l.at("/diagnosis/pattern").isTextual(), "the line carries the verdict");
                assertTrue(l.get("goroutines").size() > 0);
                assertEquals(List.of("xz"), List.of(l.at("/input/layers/0").asText()));
                assertTrue(l.at("/input/binary").asText().startsWith("bins/"), "found by --binary-search");
            } else {
                assertEquals("error", l.get("status").asText(), e.getKey());
                assertFalse(l.has("diagnosis"));
                assertFalse(l.get("error").asText().contains("\n"));
            }
        }
        assertEquals(4, byCore.get("corpus/nobinary/core.xz").get("exitCode").asInt(), "no binary with its build id");
        assertTrue(byCore.get("corpus/nobinary/core.xz").get("error").asText().startsWith("no binary for core"));
        assertEquals(3, byCore.get("corpus/junk/broken.core").get("exitCode").asInt());
    }

    @Test
    void theTwoGoVersionsOfEachFixtureGroupTogether() throws Exception {
        JsonNode s = BatchCli.json(Files.readString(dir.resolve("base-summary.json")));
        assertEquals(cores.size(), s.get("cores").asInt());
        assertEquals(2, s.at("/statuses/error").asInt());
        assertEquals(FIXTURES.size(), s.get("groups").size(), s.toPrettyString());
        for (JsonNode g : s.get("groups")) {
            assertEquals(SampleCores.goVersions().size(), g.get("count").asInt(), g.toPrettyString());
            Set<String> fixtures = new HashSet<>();
            g.get("examples").forEach(x -> fixtures.add(cores.get(x.asText())));
            assertEquals(1, fixtures.size(), "one fixture per group: " + g);
            String fixture = fixtures.iterator().next();
            if (fixture.equals("not-channel-panic")) {
                assertEquals("assignment to entry in nil map", g.get("panic").asText());
                assertTrue(g.get("sender").asText().endsWith(" not-channel-panic/main.go:" + truthLine(fixture)), g.toString());
            } else {
                // the two last path elements only: both builds recorded their own absolute paths
                assertTrue(g.get("sender").asText().matches("\\S+ " + fixture + "/main\\.go:\\d+"), g.toString());
            }
        }
        assertEquals(2, s.get("errors").size());
        assertTrue(baseline.err().contains("root causes (" + (cores.size() - 2) + " cores in " + FIXTURES.size() + " groups)"), baseline.err());
    }

    @Test
    void twoJobsGiveTheSameLinesAsOne() throws Exception {
        BatchCli.Run r = cli.run("batch", "--jobs", "2", "--binary-search", "bins", "-o", "jobs2.jsonl", "corpus");
        assertEquals(1, r.exit(), r.err());
        assertEquals(withoutTimes(baseLines), withoutTimes(BatchCli.lines(dir.resolve("jobs2.jsonl"))));
    }

    @Test
    void resumeAnalyzesOnlyWhatIsMissing() throws Exception {
        Path out = dir.resolve("resume.jsonl");
        Files.copy(dir.resolve("base.jsonl"), out);
        BatchCli.Run again = cli.run("batch", "--resume", "--binary-search", "bins", "-o", "resume.jsonl", "corpus");
        assertEquals(1, again.exit(), again.err());
        assertTrue(again.err().contains("analyzed 0, " + cores.size() + " already in resume.jsonl"), again.err());
        assertEquals(cores.size(), BatchCli.lines(out).size());

        // A batch killed while writing its last line: that line is cut off.
        List<String> lines = Files.readAllLines(out);
        String keep = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
        Files.writeString(out, keep + lines.get(lines.size() - 1).substring(0, 40));
        BatchCli.Run repaired = cli.run("batch", "--resume", "--binary-search", "bins", "-o", "resume.jsonl", "corpus");
        assertTrue(repaired.err().contains("removed a cut-off last line"), repaired.err());
        assertTrue(repaired.err().contains("analyzed 1, " + (cores.size() - 1) + " already in resume.jsonl"), repaired.err());
        assertEquals(withoutTimes(baseLines), withoutTimes(BatchCli.lines(out)));

        BatchCli.Run noResume = cli.run("batch", "--binary-search", "bins", "-o", "resume.jsonl", "corpus");
        assertEquals(2, noResume.exit(), "an output with results is not overwritten without --resume");
        assertTrue(noResume.err().contains("--resume"), noResume.err());
    }

    @Test
    void shardsPartitionTheCorpusAndMergeToTheWholeSummary() throws Exception {
        BatchCli.Run one = cli.run("batch", "-q", "--shard", "1/2", "--binary-search", "bins", "-o", "s1.jsonl", "corpus");
        BatchCli.Run two = cli.run("batch", "-q", "--shard", "2/2", "--binary-search", "bins", "-o", "s2.jsonl", "corpus");
        assertTrue(one.err().isEmpty() && two.err().isEmpty(), "-q: " + one.err() + two.err());
        Set<String> a = byCore(BatchCli.lines(dir.resolve("s1.jsonl"))).keySet();
        Set<String> b = byCore(BatchCli.lines(dir.resolve("s2.jsonl"))).keySet();
        assertFalse(a.isEmpty() || b.isEmpty(), cores.size() + " cores in 2 shards: " + a + " " + b);
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        assertEquals(Set.of(), both, "no core in both shards");
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        assertEquals(cores.keySet(), union, "every core in one shard");

        BatchCli.Run merged = cli.run("merge", "--format", "json", "-o", "merged.jsonl", "s1.jsonl", "s2.jsonl");
        assertEquals(1, merged.exit(), merged.err());
        assertEquals(BatchCli.json(Files.readString(dir.resolve("base-summary.json"))), BatchCli.json(merged.out()));
        assertEquals(withoutTimes(baseLines), withoutTimes(BatchCli.lines(dir.resolve("merged.jsonl"))));

        BatchCli.Run text = cli.run("merge", "s2.jsonl", "s1.jsonl", "s1.jsonl");
        assertTrue(text.out().startsWith(cores.size() + " cores: "), text.out());
        assertTrue(text.out().contains("root causes (" + (cores.size() - 2) + " cores in " + FIXTURES.size() + " groups)"), "a core in two inputs counts once: " + text.out());
    }

    @Test
    void aTimeoutIsRecordedAndTheBatchGoesOn() throws Exception {
        BatchCli.Run r = cli.run("batch", "--timeout", "1ms", "--jobs", "2", "--binary-search", "bins", "-o", "t.jsonl",
                "corpus");
        assertEquals(1, r.exit(), r.err());
        Map<String, JsonNode> byCore = byCore(BatchCli.lines(dir.resolve("t.jsonl")));
        assertEquals(cores.keySet(), byCore.keySet(), "every core has its line");
        for (String fixtureCore : cores.keySet()) {
            if (!fixtureCore.contains("broken")) {
                JsonNode l = byCore.get(fixtureCore);
                assertEquals("timeout", l.get("status").asText(), fixtureCore);
                assertTrue(l.get("exitCode").isNull());
                assertTrue(l.get("error").asText().startsWith("no result within 1ms"), l.toString());
            }
        }
        // --resume retries timeouts: the summary counts each core once, by its newest line.
        BatchCli.Run retry = cli.run("batch", "--resume", "--binary-search", "bins", "-o", "t.jsonl", "--summary",
                "t-summary.json", "corpus");
        assertEquals(1, retry.exit(), retry.err());
        JsonNode s = BatchCli.json(Files.readString(dir.resolve("t-summary.json")));
        assertEquals(BatchCli.json(Files.readString(dir.resolve("base-summary.json"))), s);
    }

    @Test
    void aHungGdbIsStoppedAtTheTimeout() throws Exception {
        // gdb itself, except that every start after the first (the batch's check that gdb works) hangs
        Path marker = dir.resolve("hung-gdb-" + ProcessHandle.current().pid());
        Path wrapper = dir.resolve("slow-gdb");
        Files.writeString(wrapper, "#!/bin/bash\n"
                + "if mkdir '" + dir.resolve("gdb-started") + "' 2>/dev/null; then exec gdb \"$@\"; fi\n"
                + "exec -a '" + marker + "' sleep 300\n");
        assertTrue(wrapper.toFile().setExecutable(true));
        long start = System.nanoTime();
        BatchCli.Run r = cli.run(Map.of("CHANSCOPE_GDB", wrapper.toString()), "batch", "--timeout", "2s", "--jobs", "2",
                "--binary-search", "bins", "-o", "hung.jsonl", "corpus/go" + latestGo());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1, r.exit(), r.err());
        List<JsonNode> lines = BatchCli.lines(dir.resolve("hung.jsonl"));
        assertEquals(FIXTURES.size(), lines.size());
        lines.forEach(l -> assertEquals("timeout", l.get("status").asText(), l.toString()));
        assertTrue(seconds < 60, "3 cores, 2 at a time, 2 s each: took " + seconds + " s");
        assertEquals(List.of(), running(marker.toString()), "the hung gdbs were killed");
    }

    @Test
    void badInvocationsExitWithTheDocumentedCodes() throws Exception {
        assertEquals(2, cli.run("batch", "--shard", "3/2", "corpus").exit());
        assertEquals(2, cli.run("batch", "--resume", "corpus").exit());
        assertEquals(2, cli.run("batch", "--timeout", "soon", "corpus").exit());
        BatchCli.Run missing = cli.run("batch", "no-such-dir");
        assertEquals(3, missing.exit());
        assertEquals("chanscope: no such file or directory: no-such-dir", missing.err().strip());
        BatchCli.Run none = cli.run("batch", "corpus/junk/README.txt", "bins");
        assertEquals(3, none.exit());
        assertTrue(none.err().startsWith("chanscope: no cores under"), none.err());
        BatchCli.Run notOurs = cli.run("merge", "corpus/junk/README.txt");
        assertEquals(3, notOurs.exit());
        assertTrue(notOurs.err().contains("line 1 is not a chanscope batch line"), notOurs.err());
        assertFalse(notOurs.err().contains("\tat "), "no stack trace");
    }

    @Test
    void globsAreExpandedForShellsThatDoNot() throws Exception {
        BatchCli.Run r = cli.run("batch", "-q", "--no-goroutines", "--binary-search", "bins", "corpus/**/multi-closer.core.xz");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> lines = r.out().lines().map(l -> {
            try {
                return BatchCli.json(l);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertEquals(SampleCores.goVersions().size(), lines.size(), r.out());
        for (JsonNode l : lines) {
            assertTrue(l.at("/input/core").asText().endsWith("/multi-closer.core.xz"));
            assertFalse(l.has("goroutines"), "--no-goroutines");
            assertTrue(l.get("goroutineCount").asInt() > 0);
        }
    }

    // ---- helpers ----

    private static Map<String, JsonNode> byCore(List<JsonNode> lines) {
        Map<String, JsonNode> m = new TreeMap<>();
        for (JsonNode l : lines) {
            assertEquals(null, m.put(l.at("/input/core").asText(), l), "one line per core");
        }
        return m;
    }

    /** The lines by core with the one field that differs between runs, the time, removed. */
    private static Map<String, String> withoutTimes(List<JsonNode> lines) {
        return byCore(lines).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> {
            ObjectNode c = e.getValue().deepCopy();
            c.remove("elapsedMs");
            return c.toString();
        }, (x, y) -> x, TreeMap::new));
    }

    /** Where the truth says the non-channel panic was raised. */
    private static int truthLine(String fixture) {
        return SampleCores.get(latestGo(), fixture).truth().victim().get(0).line();
    }

    private static String sha256(Path f) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(Files.readAllBytes(f));
        return HexFormat.of().formatHex(d.digest());
    }

    /** Processes whose command line mentions {@code text}. */
    private static List<String> running(String text) throws IOException {
        Map<Long, String> found = new HashMap<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains(text)) {
                        found.put(Long.parseLong(p.getFileName().toString()), cmd);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return found.values().stream().toList();
    }
}
