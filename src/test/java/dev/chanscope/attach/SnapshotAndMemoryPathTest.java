package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways of reading memory (process_vm_readv, and gdb when that is not available) give
 * the same report; a --snapshot written either way (plain and sparse, or xz) analyzes to the
 * same goroutines; neither changes the stopped process.
 */
class SnapshotAndMemoryPathTest {
    @TempDir
    Path tmp;

    @Test
    void gdbFallbackAndSnapshotsAgreeWithTheDirectPath() throws Exception {
        Path bin = LivePrograms.extract(tmp, LivePrograms.GO_VERSIONS.get(0), "live-blocked");
        Chanscope cs = new Chanscope(tmp);
        try (GoProcess p = GoProcess.start(tmp, bin, Map.of())) {
            p.awaitLine("ready", 30);
            p.stopAndWait();
            String before = Proc.fingerprint(p.pid());
            Path plain = tmp.resolve("plain.core");
            Path xz = tmp.resolve("incident.core.xz");

            Chanscope.Run direct = cs.run("attach", "--json", "--snapshot", plain.toString(), Integer.toString(p.pid()));
            assertEquals(0, direct.exit(), direct.err());
            Chanscope.Run viaGdb = cs.run(Map.of("CHANSCOPE_LIVE_MEMORY", "gdb"), "attach", "--json", "--snapshot",
                    xz.toString(), Integer.toString(p.pid()));
            assertEquals(0, viaGdb.exit(), viaGdb.err());
            assertEquals(before, Proc.fingerprint(p.pid()), "the process changed");
            assertEquals('T', p.state());

            JsonNode d = direct.json();
            JsonNode g = viaGdb.json();
            assertEquals("process_vm_readv", d.at("/live/memoryPath").asText());
            assertEquals("gdb (CHANSCOPE_LIVE_MEMORY=gdb)", g.at("/live/memoryPath").asText());
            assertEquals(d.get("goroutines"), g.get("goroutines"));
            // The process stays stopped between the two runs, but the clock goes on: durations grow.
            assertEquals(withoutDurations(d.at("/live/blockedChannels")), withoutDurations(g.at("/live/blockedChannels")));
            assertEquals(d.at("/live/closedHeld"), g.at("/live/closedHeld"));
            AttachBlockedTest.checkBlockedView(g.get("live"), true);

            assertEquals("plain", d.at("/live/snapshot/format").asText());
            assertEquals("xz", g.at("/live/snapshot/format").asText());
            // Sparse: the zero pages of the heap's arenas are holes.
            long onDisk = allocatedBytes(plain);
            assertTrue(onDisk < Files.size(plain), "plain snapshot not sparse: " + onDisk + " of " + Files.size(plain));
            assertEquals(Files.size(plain), d.at("/live/snapshot/coreBytes").asLong());
            assertTrue(Files.size(xz) < Files.size(plain) / 10, "xz snapshot " + Files.size(xz));
            assertTrue(Files.list(tmp).noneMatch(f -> f.getFileName().toString().startsWith(".incident")),
                    "the raw core next to the .xz must be removed");

            for (Path snapshot : new Path[] {plain, xz}) {
                Chanscope.Run a = cs.run("analyze", "--json", "--binary", bin.toString(), snapshot.toString());
                assertEquals(0, a.exit(), a.err());
                JsonNode s = a.json();
                assertEquals(d.get("goroutines"), s.get("goroutines"), snapshot.toString());
                assertEquals(d.get("panic"), s.get("panic"));
            }
            p.signal("CONT");
            p.sendLine("go");
            assertEquals(0, p.awaitExit(60), p.stderrText());
            assertEquals(AttachBlockedTest.EXPECTED_OUTPUT, AttachBlockedTest.afterReady(p.stdout()));
        }
    }

    /** Bytes the file occupies on disk (stat's %b blocks of %B bytes; Java does not expose them). */
    private static long allocatedBytes(Path f) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", f.toString()).redirectErrorStream(true).start();
        String[] out = new String(p.getInputStream().readAllBytes()).strip().split(" ");
        assertEquals(0, p.waitFor());
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    private static JsonNode withoutDurations(JsonNode channels) {
        JsonNode copy = channels.deepCopy();
        copy.forEach(c -> c.get("waiters").forEach(w -> ((ObjectNode) w).remove("blockedForSeconds")));
        return copy;
    }
}
