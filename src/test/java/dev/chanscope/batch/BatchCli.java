package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** chanscope as a user runs it: a separate JVM in {@code dir}, so exit codes, stdout and stderr are real. */
final class BatchCli {
    record Run(int exit, String out, String err) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    BatchCli(Path dir) {
        this.dir = dir;
    }

    Run run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("CHANSCOPE_CACHE", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "chanscope did not finish: " + args[0]);
        Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** The lines of cores (not the {@code skipped} lines of files that are not cores), each parsed. */
    static List<JsonNode> lines(Path file) throws IOException {
        return allLines(file).stream().filter(l -> !"skipped".equals(l.path("status").asText())).toList();
    }

    /** The lines of a JSON Lines file, each parsed (so each must be one JSON object). */
    static List<JsonNode> allLines(Path file) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (String s : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(s);
            assertTrue(n.isObject(), "not an object: " + s);
            l.add(n);
        }
        return l;
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }
}
