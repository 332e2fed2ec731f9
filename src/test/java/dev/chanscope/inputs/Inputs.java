package dev.chanscope.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chanscope.cli.Main;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.tukaani.xz.XZInputStream;

/** Real files for the input tests, and the CLI run as a separate JVM, the way users meet it. */
final class Inputs {
    private Inputs() {}

    record Run(int exit, String out, String err) {}

    /** Runs chanscope with the cache in {@code tmp/cache}, in the project directory. */
    static Run run(Path tmp, String... args) throws IOException, InterruptedException {
        return run(tmp, Map.of(), null, args);
    }

    static Run run(Path tmp, Map<String, String> env, Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        pb.environment().remove("CHANSCOPE_DEBUG");
        pb.environment().putAll(env);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chanscope did not finish: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Exit code, and stderr one line with no Java stack trace, holding every key word. */
    static void assertOneLineError(Run r, int exit, String... mustContain) {
        assertEquals(exit, r.exit(), "exit code; stderr: " + r.err() + "\nstdout: " + r.out());
        assertFalse(r.err().contains("\tat "), "stack trace printed:\n" + r.err());
        assertFalse(r.err().contains("Exception"), "exception name printed:\n" + r.err());
        assertEquals(1, r.err().strip().lines().count(), "expected one line, got:\n" + r.err());
        for (String s : mustContain) {
            assertTrue(r.err().contains(s), "expected '" + s + "' in: " + r.err());
        }
    }

    static SampleCores.Entry newest(String name) {
        List<String> v = SampleCores.goVersions();
        return SampleCores.get(v.get(v.size() - 1), name);
    }

    static SampleCores.Entry oldest(String name) {
        return SampleCores.get(SampleCores.goVersions().get(0), name);
    }

    /** The first {@code n} bytes of {@code src}, as a core cut short on its way. */
    static Path cut(Path src, long n, Path dst) throws IOException {
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            long done = 0;
            while (done < n) {
                done += in.transferTo(done, n - done, out);
            }
        }
        return dst;
    }

    /** The file offset of a virtual address in a core, from its PT_LOAD segments. */
    static long fileOffset(ElfFile core, long vaddr) {
        for (ElfFile.Segment s : core.segments()) {
            if (s.type() == ElfFile.PT_LOAD && vaddr >= s.vaddr() && vaddr < s.vaddr() + s.filesz()) {
                return s.offset() + (vaddr - s.vaddr());
            }
        }
        throw new AssertionError(String.format("0x%x is not in the core's file", vaddr));
    }

    /** The stripped double-close binary committed under src/test/resources/inputs (see its README). */
    /** The Go release {@link #strippedBinary} was built with (src/test/resources/inputs/README.md). */
    static final String STRIPPED_GO = "1.26.8";

    static Path strippedBinary(Path dir) throws IOException {
        Path xz = SampleCores.projectDir().resolve("src/test/resources/inputs/double-close-stripped.xz");
        Path out = dir.resolve("double-close-stripped");
        try (InputStream in = new XZInputStream(Files.newInputStream(xz)); OutputStream o = Files.newOutputStream(out)) {
            in.transferTo(o);
        }
        out.toFile().setExecutable(true);
        return out;
    }

    /** A C program and the core the kernel wrote when it called abort(). */
    record CCore(Path binary, Path core) {}

    /**
     * Compiles {@code int main(void){abort();}} with gcc in {@code dir}, runs it with cores
     * enabled and returns the core the kernel wrote there. Needs gcc and a core_pattern that is
     * a plain file name (CI machines are set up so); anything else fails with the reason.
     */
    static CCore cCore(Path dir, String extra) throws IOException, InterruptedException {
        String pattern = Files.readString(Path.of("/proc/sys/kernel/core_pattern")).strip();
        assertFalse(pattern.startsWith("|") || pattern.contains("/"), "these tests need the kernel to write cores into"
                + " the working directory (sysctl kernel.core_pattern=core), not: " + pattern);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("abort.c"), "#include <stdlib.h>\n" + extra + "\nint main(void) { abort(); }\n");
        exec(dir, "gcc", "-O0", "-g", "-o", "abort", "abort.c");
        Process p = new ProcessBuilder("sh", "-c", "ulimit -c unlimited; exec ./abort")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        try (Stream<Path> files = Files.list(dir)) {
            Path core = files.filter(f -> f.getFileName().toString().startsWith("core")).findFirst()
                    .orElseThrow(() -> new AssertionError("the kernel wrote no core in " + dir + " (core_pattern "
                            + pattern + ", ulimit -c unlimited)"));
            return new CCore(dir.resolve("abort"), core);
        }
    }

    static void exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
    }
}
