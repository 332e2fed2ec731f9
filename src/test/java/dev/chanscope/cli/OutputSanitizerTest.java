package dev.chanscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.SafeText;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text from the input never reaches a terminal raw: a real core whose panic message (in the
 * binary's rodata) is rewritten to clear the screen and print a fake verdict, stored under a
 * file name holding escape sequences, analyzed in every output format.
 */
class OutputSanitizerTest {
    /** The panic message of not-channel-panic, in the binary's read-only data. */
    private static final String ORIGINAL = "assignment to entry in nil map";
    /** As many UTF-8 bytes: clear screen, home, a fake verdict, a bidi override, a bell. */
    private static final String HOSTILE = "\u001b[2J\u001b[Hverdict: ok\u202e\u0007\u009b1m";

    @TempDir
    Path tmp;
    Path binary;
    Path core;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void craft() throws IOException {
        byte[] want = ORIGINAL.getBytes(StandardCharsets.UTF_8);
        byte[] evil = pad(HOSTILE.getBytes(StandardCharsets.UTF_8), want.length);
        SampleCores.Entry e = SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1),
                "not-channel-panic");
        byte[] bin = Files.readAllBytes(e.binary());
        int replaced = 0;
        for (int i = 0; i + want.length <= bin.length; i++) {
            if (java.util.Arrays.equals(bin, i, i + want.length, want, 0, want.length)) {
                System.arraycopy(evil, 0, bin, i, evil.length);
                replaced++;
            }
        }
        assertTrue(replaced > 0, "the message is not in the binary");
        binary = tmp.resolve("server\u001b[31m");
        Files.write(binary, bin);
        binary.toFile().setExecutable(true);
        core = tmp.resolve("core\u001b]0;owned\u0007\u001b[2J");
        Files.copy(e.core(), core);
    }

    private static byte[] pad(byte[] b, int len) {
        assertTrue(b.length <= len, "payload too long: " + b.length);
        byte[] out = java.util.Arrays.copyOf(b, len);
        java.util.Arrays.fill(out, b.length, len, (byte) 'x');
        return out;
    }

    private static String hostileMessage() {
        int len = ORIGINAL.getBytes(StandardCharsets.UTF_8).length;
        return HOSTILE + "x".repeat(len - HOSTILE.getBytes(StandardCharsets.UTF_8).length);
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "chanscope did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** No character a terminal acts on, and the escape shown instead. */
    private static void assertSafe(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            assertFalse(SafeText.unsafe(c), what + ": raw character U+" + Integer.toHexString(c) + " at " + i + " in:\n"
                    + SafeText.escape(text));
        }
    }

    @Test
    void textReport() throws Exception {
        Run r = run("analyze", "--binary", binary.toString(), core.toString());
        assertSafe("stdout", r.out());
        assertSafe("stderr", r.err());
        assertTrue(r.out().contains("\\x1b[2J\\x1b[Hverdict: ok\\u202e\\x07\\x9b1m"), r.out());
        assertTrue(r.out().contains("core\\x1b]0;owned\\x07\\x1b[2J"), "the core's name, escaped:\n" + r.out());
    }

    @Test
    void markdownReport() throws Exception {
        Run r = run("analyze", "--format", "markdown", "--binary", binary.toString(), core.toString());
        assertSafe("stdout", r.out());
        assertSafe("stderr", r.err());
        assertTrue(r.out().contains("\\x1b[2J"), r.out());
    }

    @Test
    void goroutinesListing() throws Exception {
        Run r = run("goroutines", "-t", "3", "--binary", binary.toString(), core.toString());
        assertSafe("stdout", r.out());
        assertSafe("stderr", r.err());
        assertTrue(r.out().contains("core\\x1b]0;owned"), r.out());
    }

    @Test
    void jsonStaysExact() throws Exception {
        Run r = run("analyze", "--json", "--binary", binary.toString(), core.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(hostileMessage(), j.at("/panic/message").asText());
        assertEquals(core.toString(), j.at("/input/core").asText());
    }

    @Test
    void errorMessages() throws Exception {
        Run r = run("analyze", "--binary", tmp.resolve("missing\u001b[2J\u202e").toString(), core.toString());
        assertEquals(3, r.exit(), r.err());
        assertSafe("stderr", r.err());
        assertTrue(r.err().contains("missing\\x1b[2J"), r.err());
        Run usage = run("analyze", "--no-such-option\u001b[2J", core.toString());
        assertEquals(2, usage.exit());
        assertSafe("stderr", usage.err());
    }

    @Test
    void batchSummaryAndSummaryFile() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cores\u001b[1m"));
        Files.copy(core, dir.resolve(core.getFileName()));
        Files.writeString(dir.resolve("junk\u001b[2J"), "not a core");
        Path summary = tmp.resolve("summary.txt");
        Run r = run("batch", "-j", "1", "--binary", binary.toString(), "--summary", summary.toString(),
                "-o", tmp.resolve("out.jsonl").toString(), dir.toString());
        assertSafe("stderr", r.err());
        assertSafe("summary file", Files.readString(summary));
        // the core's line (batch also writes a "skipped" line for every input that is not a core)
        JsonNode line = null;
        for (String l : Files.readAllLines(tmp.resolve("out.jsonl"))) {
            JsonNode n = new ObjectMapper().readTree(l);
            if (n.has("panic")) {
                line = n;
            }
        }
        assertNotNull(line, "the core's line");
        assertEquals(hostileMessage(), line.at("/panic/message").asText(), "JSON lines stay exact");
    }
}
