package dev.chanscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/**
 * The low findings of issue 12 (docs/security.md), through the command line run as a separate
 * JVM: a flooding gdb, memory running out, misleading paths, --no-cache and cache prune,
 * bundle notes in the JSON.
 */
class HardeningCliTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private Run run(List<String> jvm, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "chanscope did not finish");
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    private Run run(String... args) throws IOException, InterruptedException {
        return run(List.of(), Map.of(), args);
    }

    private static SampleCores.Entry sample(String name) {
        return SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1), name);
    }

    private static void assertOneLine(Run r, int exit, String mustContain) {
        assertEquals(exit, r.exit(), r.out() + r.err());
        assertFalse(r.err().contains("\tat "), "stack trace printed:\n" + r.err());
        assertFalse(r.err().contains("Error:") || r.err().contains("Exception"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "expected one line, got:\n" + r.err());
        assertTrue(r.err().contains(mustContain), "expected '" + mustContain + "' in: " + r.err());
    }

    private Path unxz(Path xz, String name) throws IOException {
        Path out = tmp.resolve(name);
        try (InputStream in = new XZInputStream(Files.newInputStream(xz))) {
            Files.copy(in, out);
        }
        return out;
    }

    /**
     * A gdb that writes without end (here 300 MB in one line) is cut off at the cap with one
     * line and exit 5. With a 96 MiB heap the old code, which buffered every line whole, died of
     * OutOfMemoryError with a Java stack trace.
     */
    @Test
    void aFloodingGdbIsCutOffWithOneLine() throws Exception {
        Path gdb = tmp.resolve("flooding-gdb");
        Files.writeString(gdb, """
                #!/bin/sh
                printf '(gdb) \\n'
                while IFS= read -r line; do
                  token=${line%%[!0-9]*}
                  case "$line" in
                    *-gdb-version*) printf '~"GNU gdb (GDB) 13.1\\\\n"\\n%s^done\\n(gdb) \\n' "$token" ;;
                    *-gdb-exit*) printf '%s^exit\\n' "$token"; exit 0 ;;
                    *) printf '~"'; head -c 300000000 /dev/zero | tr '\\0' 'x'; printf '"\\n%s^done\\n(gdb) \\n' "$token" ;;
                  esac
                done
                """);
        Files.setPosixFilePermissions(gdb, PosixFilePermissions.fromString("rwx------"));
        SampleCores.Entry e = sample("multi-closer");
        Run r = run(List.of("-Xmx96m"), Map.of("CHANSCOPE_GDB", gdb.toString()), "analyze", "--binary",
                e.binaryXz().toString(), e.coreXz().toString());
        assertOneLine(r, 5, "characters; chanscope stopped reading it");
        assertTrue(r.err().contains("one line of gdb's output is longer than"), r.err());
    }

    /** A heap too small for the input: one line and exit 6 (was a Java stack trace and exit 1 with no output). */
    @Test
    void runningOutOfMemoryIsOneLineAndItsOwnExitCode() throws Exception {
        SampleCores.Entry e = sample("many-goroutines");
        Run r = run(List.of("-Xmx24m"), Map.of(), "analyze", "--json", "--binary", e.binaryXz().toString(),
                e.coreXz().toString());
        assertOneLine(r, 6, "out of memory");
        assertTrue(r.err().contains("-Xmx"), r.err());
    }

    /** --binary says what is wrong with the path: a FIFO, a directory, missing (was "does not exist" for all). */
    @Test
    void aBadBinaryPathIsNamedForWhatItIs() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Path fifo = tmp.resolve("binary.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        Path dir = Files.createDirectory(tmp.resolve("bindir"));
        Map<Path, String> cases = Map.of(fifo, "binary " + fifo + " is a named pipe (FIFO), not a regular file",
                dir, "binary " + dir + " is a directory", tmp.resolve("missing"), "--binary " + tmp.resolve("missing") + ": no such file");
        for (var c : cases.entrySet()) {
            Run r = run("analyze", "--binary", c.getKey().toString(), e.coreXz().toString());
            assertOneLine(r, 3, c.getValue());
        }
    }

    /** gdb's CLI strips a trailing blank: such a core used to fail with exit 5. */
    @Test
    void aCoreWhosePathEndsInASpaceIsAnalyzed() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Path core = unxz(e.coreXz(), "core ");
        Run r = run("analyze", "--json", "--binary", e.binaryXz().toString(), core.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(core.toString(), new ObjectMapper().readTree(r.out()).at("/input/core").asText());
    }

    /** --no-cache leaves nothing in the cache; cache prune empties it; cache info counts it. */
    @Test
    void noCacheAndCachePrune() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        Run r = run("analyze", "--no-cache", "--json", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(), cacheFiles(), "--no-cache must leave nothing behind");
        r = run("analyze", "--json", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(cacheFiles().isEmpty());
        r = run("cache", "info");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(": 2 entries"), r.out()); // the core and the binary
        r = run("cache", "prune");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("chanscope: deleted 2 of 2 entries"), r.out());
        assertEquals(List.of(), cacheFiles());
    }

    private List<Path> cacheFiles() throws IOException {
        if (!Files.exists(tmp.resolve("cache"))) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(tmp.resolve("cache"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /**
     * Skipped bundle members are notes in the JSON (input.notes) and the text, not only on a
     * terminal; and the core and the binary are chosen by ELF type and build id, not position.
     */
    @Test
    void bundleNotesReachTheReport() throws Exception {
        SampleCores.Entry e = sample("multi-closer");
        SampleCores.Entry other = sample("double-close");
        Path b = Files.createDirectory(tmp.resolve("bundle"));
        unxz(other.binaryXz(), "bundle/a-other-build");   // first by position, another build
        unxz(e.binaryXz(), "bundle/z-server");
        unxz(e.coreXz(), "bundle/core");
        Files.createSymbolicLink(b.resolve("evil"), Path.of("/etc/passwd"));
        for (String f : List.of("a-other-build", "z-server")) {
            Files.setPosixFilePermissions(b.resolve(f), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path tar = tmp.resolve("bundle.tar");
        assertEquals(0, new ProcessBuilder("tar", "-C", b.toString(), "-cf", tar.toString(), "a-other-build", "evil",
                "core", "z-server").inheritIO().start().waitFor());
        Run r = run("analyze", "--json", tar.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode notes = new ObjectMapper().readTree(r.out()).at("/input/notes");
        assertTrue(notes.toString().contains("skipped tar member 'evil': a symbolic link to '/etc/passwd'"), notes.toString());
        assertTrue(notes.toString().contains("executable: 'z-server'"), notes.toString());
        assertTrue(notes.toString().contains("'a-other-build'"), notes.toString());
        Run text = run("analyze", tar.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("NOTES ON THE INPUT"), text.out());
    }
}
