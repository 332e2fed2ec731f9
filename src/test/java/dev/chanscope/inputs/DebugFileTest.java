package dev.chanscope.inputs;

import static dev.chanscope.inputs.Inputs.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate debug files, found the ways distributions ship them (docs/stripped.md): a sample
 * binary stripped with {@code objcopy --strip-all} and its {@code objcopy --only-keep-debug}
 * file, found by --debug-file, .gnu_debuglink, a build-id tree, and a real debuginfod (Debian's
 * package, started and stopped here).
 */
class DebugFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private SampleCores.Entry e;
    private Path bin;
    private Path debug;
    private String buildId;

    @BeforeEach
    void strip() throws Exception {
        e = SampleCores.get("1.26.8", "multi-closer");
        Path dir = Files.createDirectories(tmp.resolve("app"));
        debug = dir.resolve("multi-closer.debug");
        bin = dir.resolve("multi-closer");
        Inputs.exec(tmp, "objcopy", "--only-keep-debug", e.binary().toString(), debug.toString());
        Inputs.exec(tmp, "objcopy", "--strip-all", "--add-gnu-debuglink=" + debug, e.binary().toString(), bin.toString());
        try (ElfFile f = ElfFile.open(bin)) {
            buildId = f.gnuBuildId().orElseThrow();
        }
    }

    private JsonNode analyze(Path cache, String... options) throws Exception {
        String[] args = new String[options.length + 5];
        args[0] = "analyze";
        args[1] = "--json";
        System.arraycopy(options, 0, args, 2, options.length);
        args[options.length + 2] = "--binary";
        args[options.length + 3] = bin.toString();
        args[options.length + 4] = e.coreXz().toString();
        Inputs.Run r = Inputs.run(tmp, Map.of("CHANSCOPE_CACHE", cache.toString()), null, args);
        assertEquals(0, r.exit(), r.err() + r.out());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(e.truth().pattern(), j.at("/diagnosis/pattern").asText());
        return j;
    }

    @Test
    void debuglinkBesideTheBinaryInDotDebugAndExplicit() throws Exception {
        Path cache = tmp.resolve("cache");
        assertEquals("DWARF of debug file " + debug + " (.gnu_debuglink)", analyze(cache).get("layouts").asText());
        Path dotDebug = Files.createDirectories(bin.resolveSibling(".debug")).resolve(debug.getFileName());
        Files.move(debug, dotDebug);
        assertEquals("DWARF of debug file " + dotDebug + " (.gnu_debuglink)", analyze(cache).get("layouts").asText());
        // A debug file that is not the one the link's CRC names is not taken.
        Files.write(dotDebug, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        assertEquals("built-in table for go1.26.8/amd64", analyze(cache).get("layouts").asText());
        Files.move(dotDebug, debug);
        Path elsewhere = Files.move(debug, tmp.resolve("elsewhere.debug"));
        assertEquals("DWARF of debug file " + elsewhere + " (--debug-file)",
                analyze(cache, "--debug-file", elsewhere.toString()).get("layouts").asText());
    }

    @Test
    void buildIdTree() throws Exception {
        Path tree = tmp.resolve("debug-root");
        Path f = Files.createDirectories(tree.resolve(".build-id").resolve(buildId.substring(0, 2)))
                .resolve(buildId.substring(2) + ".debug");
        Files.move(debug, f);
        assertEquals("DWARF of debug file " + f + " (build-id tree " + tree + ")",
                analyze(tmp.resolve("cache"), "--debug-dir", tree.toString()).get("layouts").asText());
    }

    @Test
    void aDebugFileOfAnotherBuildIsRefused() throws Exception {
        Path other = tmp.resolve("other.debug");
        Inputs.exec(tmp, "objcopy", "--only-keep-debug", SampleCores.get("1.26.8", "double-close").binary().toString(),
                other.toString());
        Inputs.Run r = Inputs.run(tmp, "analyze", "--debug-file", other.toString(), "--binary", bin.toString(),
                e.coreXz().toString());
        assertOneLineError(r, 4, "debug file " + other + " its build id", "is not the binary's");
    }

    @Test
    void debuginfodServesTheDebugFileByBuildId() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        Files.move(debug, served.resolve("multi-closer.debug"));
        Path cache = tmp.resolve("cache");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        Process server = new ProcessBuilder("debuginfod", "-F", served.toString(), "-p", String.valueOf(port),
                "-d", tmp.resolve("debuginfod.sqlite").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("debuginfod.log").toFile()).start();
        try {
            awaitIndexed(url + "/buildid/" + buildId + "/debuginfo", server);
            JsonNode j = analyze(cache, "--debuginfod", url);
            Path kept = cache.resolve("debuginfo").resolve(buildId + ".debug");
            assertEquals("DWARF of debug file " + kept + " (debuginfod " + url + ")", j.get("layouts").asText());
            assertEquals(Files.size(served.resolve("multi-closer.debug")), Files.size(kept));
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        // The server is gone: the cached file is used; a fresh cache falls back to the table, and says why.
        assertTrue(analyze(cache, "--debuginfod", url).get("layouts").asText().contains("(debuginfod " + url + ")"));
        JsonNode fresh = analyze(tmp.resolve("cache2"), "--debuginfod", url, "--debuginfod-timeout", "2");
        assertEquals("built-in table for go1.26.8/amd64", fresh.get("layouts").asText());
        assertTrue(fresh.at("/input/notes").toString().contains("debuginfod " + url + ": cannot fetch"), fresh.toString());
    }

    /** debuginfod indexes its directory in the background: poll until it serves the file. */
    private void awaitIndexed(String url, Process server) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                fail("debuginfod exited: " + Files.readString(tmp.resolve("debuginfod.log")));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        fail("debuginfod did not serve " + url + " within 90 s: " + Files.readString(tmp.resolve("debuginfod.log")));
    }
}
