package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * A process that stopped itself while a {@code send on closed channel} panic was in flight
 * (live-panic stop: a deferred hook sends SIGSTOP to its own thread) is diagnosed exactly
 * like the core of the same crash (live-panic crash under GOTRACEBACK=crash), and a
 * {@code --snapshot} of it analyzes to the same panic again.
 */
class PanicInFlightTest {
    static final List<String> GO_VERSIONS = LivePrograms.GO_VERSIONS;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "go{0}")
    @FieldSource("GO_VERSIONS")
    void panicInFlightIsDiagnosedLikeTheCoreOfTheSameCrash(String go) throws Exception {
        Path bin = LivePrograms.extract(tmp, go, "live-panic");
        Chanscope cs = new Chanscope(tmp);
        Path core = crash(bin);
        Chanscope.Run fromCore = cs.run("analyze", "--json", "--binary", bin.toString(), core.toString());
        assertEquals(0, fromCore.exit(), fromCore.err() + fromCore.json().get("warnings"));
        JsonNode c = fromCore.json();
        assertEquals("send-on-closed", c.at("/panic/kind").asText(), "the core is the expected crash");

        try (GoProcess p = GoProcess.start(tmp, bin, Map.of(), "stop")) {
            p.awaitState('T', 30);
            Path snapshot = tmp.resolve("incident.core.zst");
            Chanscope.Run r = cs.run("attach", "--json", "--snapshot", snapshot.toString(), Integer.toString(p.pid()));
            assertEquals(0, r.exit(), r.err() + r.json().get("warnings"));
            assertEquals('T', p.state(), "the process must still be stopped");
            assertEquals(0, p.tracerPid());
            JsonNode l = r.json();

            assertSamePanic(c, l, false);
            assertTrue(l.at("/live/selfStoppingThread").isInt(), "the thread that stopped the process is known");
            assertEquals(l.at("/live/selfStoppingThread").asInt(), goroutine(l, l.at("/panic/goroutine").asLong())
                    .get("thread").asInt(), "the panicking goroutine runs on the thread that stopped the process");
            // In flight: the goroutine is inside the deferred hook, called by gopanic.
            List<String> fns = functions(goroutine(l, l.at("/panic/goroutine").asLong()));
            assertTrue(fns.indexOf("main.hook") >= 0 && fns.indexOf("main.hook") < fns.indexOf("runtime.gopanic"), fns.toString());
            assertEquals("thread", goroutine(l, l.at("/panic/goroutine").asLong()).get("stackSource").asText());

            // The snapshot analyzes to the same panic, and to the very same channel.
            assertEquals("zstd", l.at("/live/snapshot/format").asText());
            assertEquals(Files.size(snapshot), l.at("/live/snapshot/bytes").asLong());
            Chanscope.Run fromSnapshot = cs.run("analyze", "--json", "--binary", bin.toString(), snapshot.toString());
            assertEquals(0, fromSnapshot.exit(), fromSnapshot.err());
            JsonNode s = fromSnapshot.json();
            assertSamePanic(l, s, true);
            assertEquals(l.get("goroutineCount").asInt(), s.get("goroutineCount").asInt());
            assertEquals(functions(goroutine(l, l.at("/panic/goroutine").asLong())),
                    functions(goroutine(s, s.at("/panic/goroutine").asLong())));

            // Let it go: the panic goes on and the program dies the way it would have.
            p.signal("CONT");
            assertEquals(2, p.awaitExit(60), p.stderrText());
            assertEquals(List.of("replies: 2"), p.stdout());
            assertTrue(p.stderrText().startsWith("panic: send on closed channel"), p.stderrText());
            assertTrue(p.stderrText().contains("goroutine " + l.at("/panic/goroutine").asLong() + " [running"),
                    p.stderrText());
        }
    }

    /** live-panic crash under GOTRACEBACK=crash, with cores enabled: its core (core_pattern "core"). */
    private Path crash(Path bin) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("crash"));
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "ulimit -c unlimited && exec \"$0\" crash", bin.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("output.txt").toFile());
        pb.environment().put("GOTRACEBACK", "crash");
        pb.environment().put("GOMAXPROCS", "1"); // as GoProcess runs the stop variant: the same goroutine ids
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(128 + 6, p.exitValue(), "SIGABRT expected: " + Files.readString(dir.resolve("output.txt")));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("core")).findFirst()
                    .orElseThrow(() -> new AssertionError("no core in " + dir + " (core_pattern is "
                            + Proc.read(Path.of("/proc/sys/kernel/core_pattern")).strip() + ")"));
        }
    }

    /** Panic kind, message, goroutine, site, frames; the channel's type, state and how it was found. */
    static void assertSamePanic(JsonNode expected, JsonNode actual, boolean sameProcess) {
        for (String f : List.of("/panic/kind", "/panic/message", "/panic/goroutine", "/panic/site",
                "/panic/runtimeFrame/function", "/panic/runtimeFrame/line", "/panic/userFrame/function",
                "/panic/userFrame/file", "/panic/userFrame/line", "/channel/elemType", "/channel/elemSize",
                "/channel/capacity", "/channel/buffered", "/channel/closed", "/channel/foundBy",
                "/channel/recvWaiters", "/channel/sendWaiters", "/channel/wokenSenders", "/goVersion",
                // the diagnosis (dev.chanscope.diagnose) comes through the same report path
                "/diagnosis/pattern", "/diagnosis/confidence", "/diagnosis/closer/function", "/diagnosis/closer/line")) {
            assertEquals(expected.at(f), actual.at(f), f);
        }
        assertEquals(expected.at("/panic/chain").size(), actual.at("/panic/chain").size());
        assertEquals(expected.at("/panic/chain/0/message"), actual.at("/panic/chain/0/message"));
        if (sameProcess) {
            assertEquals(expected.at("/channel/address"), actual.at("/channel/address"));
        }
        JsonNode eg = goroutine(expected, expected.at("/panic/goroutine").asLong());
        JsonNode ag = goroutine(actual, actual.at("/panic/goroutine").asLong());
        assertEquals(eg.get("createdBy"), ag.get("createdBy"));
        assertEquals(eg.get("startFunction"), ag.get("startFunction"));
    }

    static JsonNode goroutine(JsonNode report, long id) {
        for (JsonNode g : report.get("goroutines")) {
            if (g.get("id").asLong() == id) {
                return g;
            }
        }
        throw new AssertionError("no goroutine " + id);
    }

    static List<String> functions(JsonNode g) {
        return java.util.stream.StreamSupport.stream(g.get("frames").spliterator(), false)
                .map(f -> f.get("function").asText()).toList();
    }
}
