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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code goroutines --group}, the filters and {@code --format}, on the sample with the most
 * goroutines, checked against the plain listing of the same core: the groups partition the
 * goroutines, and every goroutine listed by a filter meets it while every one left out does not.
 */
class GoroutinesListingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private String run(String... args) throws IOException, InterruptedException {
        SampleCores.Entry e = SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1),
                "many-goroutines");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "goroutines"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--binary", e.binaryXz().toString(), e.coreXz().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        Path out = tmp.resolve("out.txt");
        pb.redirectOutput(out.toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chanscope did not finish");
        assertTrue(p.exitValue() <= 1, Files.readString(tmp.resolve("err.txt")));
        return Files.readString(out);
    }

    private static List<String> functions(JsonNode g) {
        List<String> out = new ArrayList<>();
        g.get("frames").forEach(f -> out.add(f.get("function").asText()));
        return out;
    }

    @Test
    void groupsPartitionTheGoroutinesByStack() throws Exception {
        JsonNode all = JSON.readTree(run("--format", "json"));
        JsonNode grouped = JSON.readTree(run("--json", "--group"));
        int total = all.get("goroutines").size();
        assertEquals(all.get("goroutineCount").asInt(), total);
        JsonNode groups = grouped.get("goroutineGroups");
        assertTrue(groups.size() > 1 && groups.size() < total / 2, groups.size() + " groups of " + total);
        Set<Long> seen = new HashSet<>();
        java.util.Map<Long, JsonNode> byId = new java.util.HashMap<>();
        all.get("goroutines").forEach(g -> byId.put(g.get("id").asLong(), g));
        int previous = Integer.MAX_VALUE;
        for (JsonNode gr : groups) {
            int count = gr.get("count").asInt();
            assertEquals(count, gr.get("ids").size());
            assertTrue(count <= previous, "largest group first");
            previous = count;
            for (JsonNode id : gr.get("ids")) {
                assertTrue(seen.add(id.asLong()), "goroutine " + id + " in two groups");
                JsonNode g = byId.get(id.asLong());
                assertEquals(gr.get("state").asText(), g.get("state").asText());
                assertEquals(functions(gr), functions(g), "goroutine " + id + " has the group's stack");
            }
        }
        assertEquals(total, seen.size(), "every goroutine in a group");
        assertTrue(grouped.get("goroutines") == null, "a grouped report lists groups, not goroutines");
    }

    @Test
    void filtersKeepExactlyTheGoroutinesThatMatch() throws Exception {
        JsonNode all = JSON.readTree(run("--json"));
        String reason = "chan receive";
        JsonNode waiting = JSON.readTree(run("--json", "--wait-reason", reason));
        Set<Long> want = new HashSet<>();
        all.get("goroutines").forEach(g -> {
            if (g.get("waitReason").asText().contains(reason)) {
                want.add(g.get("id").asLong());
            }
        });
        Set<Long> got = new HashSet<>();
        waiting.get("goroutines").forEach(g -> got.add(g.get("id").asLong()));
        assertFalse(want.isEmpty());
        assertEquals(want, got);
        assertEquals(all.get("goroutineCount"), waiting.get("goroutineCount"), "the count is of every goroutine");

        // a function given as a regular expression, and a state
        String re = "\\(\\*service\\)\\.(worker|subscriber)$";
        JsonNode main = JSON.readTree(run("--json", "--state", "waiting", "--function", re));
        Set<Long> wantMain = new HashSet<>();
        all.get("goroutines").forEach(g -> {
            if (g.get("status").asText().equals("waiting")
                    && functions(g).stream().anyMatch(f -> java.util.regex.Pattern.compile(re).matcher(f).find())) {
                wantMain.add(g.get("id").asLong());
            }
        });
        Set<Long> gotMain = new HashSet<>();
        main.get("goroutines").forEach(g -> gotMain.add(g.get("id").asLong()));
        assertTrue(wantMain.size() >= 2, wantMain.toString());
        assertEquals(wantMain, gotMain);
    }

    @Test
    void groupedTextCountsEachStackOnce() throws Exception {
        String text = run("--group", "-t", "3");
        long listed = text.lines().filter(l -> l.matches("\\d+ goroutines?: .*")).count();
        assertTrue(listed > 1, text);
        assertTrue(text.contains(" distinct stacks"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("goroutines \\[.*\\]:")), text);
    }

    @Test
    void depthStopsTheUnwindingOfParkedGoroutinesOnly() throws Exception {
        JsonNode all = JSON.readTree(run("--json"));
        JsonNode cut = JSON.readTree(run("--json", "-t", "2"));
        java.util.Map<Long, JsonNode> full = new java.util.HashMap<>();
        all.get("goroutines").forEach(g -> full.put(g.get("id").asLong(), g));
        int cutCount = 0;
        for (JsonNode g : cut.get("goroutines")) {
            JsonNode f = full.get(g.get("id").asLong());
            List<String> whole = functions(f);
            assertEquals(whole.subList(0, Math.min(2, whole.size())), functions(g), "the frames printed");
            if (g.has("framesCut")) {
                cutCount++;
                assertEquals("waiting", g.get("status").asText());
                assertTrue(f.get("framesTotal").asInt() >= g.get("framesTotal").asInt()
                        && g.get("framesTotal").asInt() > 2, g.toString());
            } else {
                assertEquals(f.get("framesTotal"), g.get("framesTotal"), "a stack unwound in full");
            }
        }
        assertTrue(cutCount > 100, cutCount + " goroutines cut");
        assertEquals(all.get("panic"), cut.get("panic"), "the panicking goroutine keeps its frames");
    }
}
