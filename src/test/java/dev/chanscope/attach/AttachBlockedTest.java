package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@code chanscope attach} on a live Go program whose goroutines are blocked on channels (no
 * panic): on a stopped process, which must stay stopped and unchanged, and on a running one,
 * which must be paused only while read; both must then finish with their correct output.
 */
class AttachBlockedTest {
    static final List<String> GO_VERSIONS = LivePrograms.GO_VERSIONS;

    /** What live-blocked prints after "ready" once released: the same whatever happened to it meanwhile. */
    static final List<String> EXPECTED_OUTPUT = List.of(
            "jobs: [1 2 3 4]",
            "collected: 42",
            "dispatcher: control stop",
            "locker: got the lock",
            "notifier: 7",
            "relay metrics: 2",
            "spinner: 0x3d83c1a3b9d9c0c5 ok=true",
            "done");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "go{0}")
    @FieldSource("GO_VERSIONS")
    void stoppedProcessIsDiagnosedAndLeftExactlyAsFound(String go) throws Exception {
        JsonNode j = attachStopped(tmp, LivePrograms.extract(tmp, go, "live-blocked"), go);
        assertEquals("DWARF", j.get("layouts").asText());
    }

    /**
     * Attaches to live-blocked ({@code bin}) stopped, checks the report and that the process is
     * left exactly as found and finishes correctly; returns the report.
     */
    static JsonNode attachStopped(Path tmp, Path bin, String go) throws Exception {
        try (GoProcess p = GoProcess.start(tmp, bin, Map.of())) {
            p.awaitLine("ready", 30);
            p.stopAndWait();
            String before = Proc.fingerprint(p.pid());

            Chanscope.Run r = new Chanscope(tmp).run("attach", "--json", Integer.toString(p.pid()));

            assertEquals(0, r.exit(), r.err());
            assertEquals('T', p.state(), "the process must still be stopped");
            assertTrue(Proc.threadStates(p.pid()).chars().allMatch(c -> c == 'T'), Proc.threadStates(p.pid()));
            assertEquals(0, p.tracerPid(), "chanscope (gdb) must have detached");
            assertEquals(before, Proc.fingerprint(p.pid()), "memory, registers or system calls changed");

            JsonNode j = r.json();
            JsonNode live = j.get("live");
            assertTrue(live.get("stoppedBefore").asBoolean());
            assertEquals("stopped (T)", live.get("stateBefore").asText());
            assertEquals("stopped (T)", live.get("stateAfter").asText());
            assertTrue(live.get("restored").asBoolean());
            assertEquals(0, live.get("restoreSignals").size(), "gdb's detach must leave a stopped process stopped");
            assertEquals("process_vm_readv", live.get("memoryPath").asText());
            assertEquals("go" + go, j.get("goVersion").asText());
            assertEquals("other", j.at("/panic/kind").asText(), "no panic in flight");
            checkBlockedView(live, true);

            p.signal("CONT");
            p.sendLine("go");
            assertEquals(0, p.awaitExit(60), p.stderrText());
            assertEquals(EXPECTED_OUTPUT, afterReady(p.stdout()));
            return j;
        }
    }

    @ParameterizedTest(name = "go{0}")
    @FieldSource("GO_VERSIONS")
    void runningProcessIsPausedOnlyWhileRead(String go) throws Exception {
        Path bin = LivePrograms.extract(tmp, go, "live-blocked");
        try (GoProcess p = GoProcess.start(tmp, bin, Map.of())) {
            p.awaitLine("ready", 30);
            char before = p.state();
            assertNotEquals('T', before);

            Chanscope.Run r = new Chanscope(tmp).run("attach", Integer.toString(p.pid()));

            assertEquals(0, r.exit(), r.err());
            assertEquals(0, p.tracerPid(), "chanscope (gdb) must have detached");
            char after = p.state();
            assertTrue(after == 'R' || after == 'S', "the process must run again, it is " + after);
            // It really runs: the spinner goroutine keeps using CPU.
            long cpu = Proc.cpuTicks(p.pid());
            Thread.sleep(300);
            assertTrue(Proc.cpuTicks(p.pid()) > cpu, "the process does not run after chanscope detached");

            Matcher m = Pattern.compile("found running[^;]*; paused ([0-9.]+) ms while read; left running")
                    .matcher(r.out());
            assertTrue(m.find(), r.out());
            double pausedMs = Double.parseDouble(m.group(1));
            assertTrue(pausedMs > 0 && pausedMs < 20_000, "pause " + pausedMs + " ms");
            assertTrue(r.out().contains("BLOCKED ON CHANNELS (6 channels, 7 goroutines)"), r.out());
            assertTrue(r.out().contains("CLOSED CHANNELS STILL HELD (2)"), r.out());

            p.sendLine("go");
            assertEquals(0, p.awaitExit(60), p.stderrText());
            assertEquals(EXPECTED_OUTPUT, afterReady(p.stdout()));
        }
    }

    /** The live view of live-blocked, as its source says it must be. */
    static void checkBlockedView(JsonNode live, boolean durationsKnown) {
        JsonNode chans = live.get("blockedChannels");
        assertEquals(6, chans.size(), chans.toPrettyString());

        JsonNode jobs = only(chans, c -> c.get("elemType").asText().equals("main.job"));
        assertEquals(3, jobs.get("capacity").asInt());
        assertEquals(3, jobs.get("buffered").asInt());
        assertFalse(jobs.get("closed").asBoolean());
        JsonNode producer = jobs.get("waiters").get(0);
        assertEquals(1, jobs.get("waiters").size());
        assertEquals("send", producer.get("operation").asText());
        assertEquals("chan send", producer.get("state").asText());
        assertEquals("main.producer", producer.at("/at/function").asText());
        assertTrue(producer.at("/at/file").asText().endsWith("live-blocked/main.go"));
        assertEquals(List.of(producer.get("goroutine").asLong()), ids(jobs.get("sendWaiters")));

        JsonNode results = only(chans, c -> c.get("elemType").asText().equals("main.result"));
        assertEquals(0, results.get("capacity").asInt());
        assertEquals(2, results.get("waiters").size());
        for (JsonNode w : results.get("waiters")) {
            assertEquals("receive", w.get("operation").asText());
            assertEquals("main.collector", w.at("/at/function").asText());
        }

        // The dispatcher's select parks it on two channels at once, one sudog each.
        List<JsonNode> selects = new ArrayList<>();
        chans.forEach(c -> c.get("waiters").forEach(w -> {
            if (w.get("select").asBoolean()) {
                selects.add(w);
            }
        }));
        assertEquals(2, selects.size(), chans.toPrettyString());
        assertEquals(selects.get(0).get("goroutine").asLong(), selects.get(1).get("goroutine").asLong());
        assertEquals("main.dispatcher", selects.get(0).at("/at/function").asText());
        assertEquals("select", selects.get(0).get("state").asText());

        for (JsonNode c : chans) {
            for (JsonNode w : c.get("waiters")) {
                if (durationsKnown) {
                    // main ran two GCs after they blocked: the runtime recorded when (g.waitsince).
                    assertTrue(w.get("waitSince").asLong() > 0, w.toString());
                    assertTrue(w.get("blockedForSeconds").asDouble() > 0, w.toString());
                    assertTrue(w.get("blockedForSeconds").asDouble() < 600, w.toString());
                }
            }
        }

        JsonNode held = live.get("closedHeld");
        assertEquals(2, held.size(), held.toPrettyString());
        JsonNode quit = only(held, c -> c.get("elemType").asText().equals("struct {}"));
        assertTrue(quit.get("closed").asBoolean());
        JsonNode notifier = quit.get("holders").get(0);
        assertEquals(1, quit.get("holders").size(), quit.toPrettyString());
        assertEquals("main.notifier", notifier.get("function").asText());
        assertTrue(notifier.get("couldSend").asBoolean());
        assertEquals("main.notifier", notifier.get("senders").get(0).asText());

        JsonNode out = only(held, c -> c.get("elemType").asText().equals("int"));
        assertEquals(5, out.get("capacity").asInt());
        assertEquals(1, out.get("buffered").asInt());
        JsonNode relay = out.get("holders").get(0);
        assertEquals(1, out.get("holders").size(), out.toPrettyString());
        assertEquals("main.relay", relay.get("function").asText());
        assertTrue(relay.get("via").asText().startsWith("field +16 of object"), relay.toString());
        assertTrue(relay.get("couldSend").asBoolean());
    }

    static JsonNode only(JsonNode array, java.util.function.Predicate<JsonNode> p) {
        List<JsonNode> found = StreamSupport.stream(array.spliterator(), false).filter(p).toList();
        assertEquals(1, found.size(), array.toPrettyString());
        return found.get(0);
    }

    static List<Long> ids(JsonNode a) {
        return StreamSupport.stream(a.spliterator(), false).map(JsonNode::asLong).toList();
    }

    static List<String> afterReady(List<String> out) {
        int i = out.indexOf("ready");
        assertTrue(i >= 0, out.toString());
        return out.subList(i + 1, out.size());
    }
}
