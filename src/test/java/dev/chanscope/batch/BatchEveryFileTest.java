package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One JSON line for every input file (issue 12): the old batch gave no line for a zero-byte
 * file or "\x7fELF" and garbage, and only a count for files that are not cores. Output files
 * are private (0600), and a resumed batch repeats no line.
 */
class BatchEveryFileTest {
    @TempDir
    Path tmp;

    @Test
    void everyInputFileGetsOneLineWithItsStatus() throws Exception {
        SampleCores.Entry e = SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1),
                "double-close");
        Path corpus = Files.createDirectory(tmp.resolve("corpus"));
        Files.copy(e.coreXz(), corpus.resolve("double-close.core.xz"));
        Files.copy(e.binaryXz(), corpus.resolve("server.xz"));
        Files.writeString(corpus.resolve("README"), "cores from the fleet\n");
        Files.write(corpus.resolve("empty.core"), new byte[0]);
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F'}, 0, garbage, 0, 4);
        garbage[16] = (byte) 0x99; // an e_type no file has
        Files.write(corpus.resolve("garbage.core"), garbage);

        BatchCli cli = new BatchCli(tmp);
        Path out = tmp.resolve("out.jsonl");
        BatchCli.Run r = cli.run("batch", "--jobs", "1", "--binary", e.binaryXz().toString(), "-o", out.toString(),
                "corpus");
        assertEquals(1, r.exit(), r.err());
        Map<String, JsonNode> byFile = new TreeMap<>();
        for (JsonNode l : BatchCli.allLines(out)) {
            String name = Path.of(l.at("/input/core").asText()).getFileName().toString();
            assertEquals(null, byFile.put(name, l), "two lines for " + name);
        }
        assertEquals(List.of("README", "double-close.core.xz", "empty.core", "garbage.core", "server.xz"),
                List.copyOf(byFile.keySet()));
        assertEquals("ok", byFile.get("double-close.core.xz").get("status").asText());
        assertEquals("error", byFile.get("empty.core").get("status").asText());
        assertTrue(byFile.get("empty.core").get("error").asText().contains("is empty (0 bytes)"));
        assertEquals("error", byFile.get("garbage.core").get("status").asText());
        assertEquals(3, byFile.get("garbage.core").get("exitCode").asInt());
        assertEquals("skipped", byFile.get("README").get("status").asText());
        assertTrue(byFile.get("README").get("skipped").asText().startsWith("not a core"));
        assertEquals("skipped", byFile.get("server.xz").get("status").asText());
        assertTrue(byFile.get("server.xz").get("skipped").asText().contains("executable"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        // The summary counts cores only: 3 (1 ok, 2 error), not the 2 skipped files.
        assertTrue(r.err().contains("3 cores: 1 ok, 2 error"), r.err());

        // Resumed: nothing is repeated.
        r = cli.run("batch", "--jobs", "1", "--binary", e.binaryXz().toString(), "-o", out.toString(), "--resume",
                "corpus");
        assertEquals(1, r.exit(), r.err());
        assertEquals(5, BatchCli.allLines(out).size());

        // merge reads skipped lines and leaves them out of the summary.
        r = cli.run("merge", "--format", "json", out.toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals(3, BatchCli.json(r.out()).get("cores").asInt());
    }

    /** -o naming a link or a FIFO is refused (it was followed: root appended to the link's target). */
    @Test
    void anOutputThatIsALinkIsRefused() throws Exception {
        SampleCores.Entry e = SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1),
                "double-close");
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, ""); // empty, so that the "already holds results" check does not stop it first
        Path link = Files.createSymbolicLink(tmp.resolve("out.jsonl"), victim);
        BatchCli.Run r = new BatchCli(tmp).run("batch", "--binary", e.binaryXz().toString(), "-o", link.toString(),
                e.coreXz().toString());
        assertTrue(r.exit() >= 2, r.err());
        assertTrue(r.err().contains("is a symbolic link, not a regular file"), r.err());
        assertEquals("", Files.readString(victim));
    }
}
