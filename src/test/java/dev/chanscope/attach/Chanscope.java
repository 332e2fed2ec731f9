package dev.chanscope.attach;

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

/** chanscope as a user runs it: a separate JVM, so exit codes, signals and stdout are real. */
final class Chanscope {
    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    private final Path dir;

    Chanscope(Path dir) {
        this.dir = dir;
    }

    static List<String> javaCommand(String classpath) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, Main.class.getName()));
    }

    /** Starts chanscope with {@code args}; stdout and stderr go to files in the test directory. */
    Process start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = javaCommand(System.getProperty("java.class.path"));
        cmd.addAll(List.of(args));
        return start(cmd, env);
    }

    Process start(List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        return pb.start();
    }

    Run finish(Process p, long seconds) throws IOException, InterruptedException {
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "chanscope did not finish in " + seconds + " s");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return finish(start(env, args), 180);
    }

    Run run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }
}
