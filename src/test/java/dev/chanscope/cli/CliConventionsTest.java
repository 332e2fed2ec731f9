package dev.chanscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The habits of gdb and dlv users (BIN CORE in either order, --exe), conflicting formats, -V on
 * every command, messages that say what is wrong with a path, and help that fits 80 columns.
 * Run as a separate JVM, as the launcher does, for the real exit codes and streams.
 */
class CliConventionsTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "chanscope did not finish");
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    private static SampleCores.Entry sample() {
        return SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1), "multi-closer");
    }

    private static void assertOneLine(Run r, int exit, String mustContain) {
        assertEquals(exit, r.exit(), r.err());
        assertFalse(r.err().contains("\tat "), "stack trace printed:\n" + r.err());
        assertEquals(1, r.err().strip().lines().count(), "expected one line, got:\n" + r.err());
        assertTrue(r.err().contains(mustContain), "expected '" + mustContain + "' in: " + r.err());
    }

    private static String verdict(String report) {
        return report.lines().filter(l -> l.startsWith("VERDICT:")).findFirst().orElse("(no verdict)\n" + report);
    }

    @Test
    void binaryAndCoreAreTakenInEitherOrderByTheirElfTypes() throws Exception {
        SampleCores.Entry e = sample();
        // compressed, as gdb users would not expect to work, in gdb's order
        Run gdbOrder = run("analyze", "--no-source", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(0, gdbOrder.exit(), gdbOrder.err());
        assertTrue(gdbOrder.err().contains("executable " + e.binaryXz() + ", core " + e.coreXz()), gdbOrder.err());
        assertTrue(verdict(gdbOrder.out()).contains("multi-closer"), gdbOrder.out());
        // plain files, the other way round, and --exe is --binary
        Run reversed = run("analyze", "--no-source", e.core().toString(), e.binary().toString());
        assertEquals(0, reversed.exit(), reversed.err());
        assertTrue(reversed.err().contains("executable " + e.binary() + ", core " + e.core()), reversed.err());
        assertEquals(verdict(gdbOrder.out()), verdict(reversed.out()));
        Run exe = run("analyze", "--no-source", "--exe", e.binary().toString(), e.core().toString());
        assertEquals(verdict(gdbOrder.out()), verdict(exe.out()), exe.err());
    }

    @Test
    void twoFilesThatAreNotOneBinaryAndOneCoreAreRefused() throws Exception {
        SampleCores.Entry e = sample();
        assertOneLine(run("analyze", e.coreXz().toString(), e.core().toString()), 2, "is an ELF core");
        assertOneLine(run("analyze", "--binary", e.binary().toString(), e.binary().toString(), e.core().toString()), 2,
                "give the binary once");
    }

    @Test
    void conflictingFormatsAreRefused() throws Exception {
        SampleCores.Entry e = sample();
        assertOneLine(run("analyze", "--format", "markdown", "--json", e.binary().toString(), e.core().toString()), 2,
                "--json and --format markdown");
        assertOneLine(run("attach", "--format", "text", "--json", "1"), 2, "--json and --format text");
    }

    @Test
    void everyCommandAnswersDashV() throws Exception {
        Run top = run("-V");
        assertEquals(0, top.exit());
        assertTrue(top.out().startsWith("chanscope "), top.out());
        for (String c : List.of("analyze", "goroutines", "attach", "batch", "merge", "cache", "version")) {
            Run r = run(c, "-V");
            assertEquals(0, r.exit(), c + ": " + r.err());
            assertEquals(top.out(), r.out(), c + " -V");
        }
    }

    @Test
    void versionNamesTheCommitJavaGdbAndWhatItReads() throws Exception {
        Run r = run("version");
        assertEquals(0, r.exit(), r.err());
        String commit = new String(new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD")
                .directory(SampleCores.projectDir().toFile()).start().getInputStream().readAllBytes()).strip();
        assertTrue(r.out().lines().findFirst().orElse("").equals("chanscope " + dev.chanscope.report.Version.current() + " (commit " + commit + ")"),
                "the build's commit is " + commit + ":\n" + r.out());
        assertTrue(r.out().contains("java:   " + System.getProperty("java.runtime.version")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("gdb: +/\\S+/gdb, GNU gdb .*\\d+\\.\\d+.*")), r.out());
        assertTrue(r.out().contains("Go 1.18 to 1.27"), r.out());
        assertTrue(r.out().contains("linux/amd64, linux/arm64"), r.out());
    }

    @Test
    void pathErrorsSayWhatIsWrong() throws Exception {
        SampleCores.Entry e = sample();
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String core = e.core().toString();
        assertOneLine(run("analyze", "--binary", dir.toString(), core), 3, "--binary " + dir + " is a directory");
        assertOneLine(run("analyze", "--exe", fifo.toString(), core), 3, "is a named pipe (FIFO), not a regular file");
        assertOneLine(run("analyze", "--binary", tmp.resolve("gone").toString(), core), 3, "gone: no such file");
        assertOneLine(run("analyze", "--source-root", tmp.resolve("gone").toString(), "--binary", e.binary().toString(),
                core), 3, "--source-root " + tmp.resolve("gone") + ": no such directory");
        assertOneLine(run("analyze", "--binary-search", e.binary().toString(), core), 3, "a regular file, not a directory");
        assertOneLine(run("goroutines", "--binary", dir.toString(), core), 3, "is a directory");
        assertOneLine(run("batch", "--binary", dir.toString(), core), 3, "--binary " + dir + " is a directory");
        assertOneLine(run("merge", dir.toString()), 3, dir + " is a directory, not a file");
        assertOneLine(run("attach", "--binary", dir.toString(), "1"), 3, "--binary " + dir + " is a directory");
    }

    /** In-process: every command, including ones added later, and every line of its help. */
    @Test
    void helpFitsEightyColumns() {
        CommandLine cl = new CommandLine(new Main());
        List<CommandLine> all = new ArrayList<>(List.of(cl));
        all.addAll(cl.getSubcommands().values());
        for (CommandLine c : all) {
            StringWriter w = new StringWriter();
            c.usage(new PrintWriter(w), CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
            String name = c.getCommandSpec().qualifiedName();
            // picocli wraps a longer description or footer line mid-phrase ("docs/usage.\nmd")
            List<String> written = new ArrayList<>(List.of(c.getCommandSpec().usageMessage().description()));
            written.addAll(List.of(c.getCommandSpec().usageMessage().footer()));
            written.addAll(List.of(c.getCommandSpec().usageMessage().header()));
            written.forEach(l -> assertTrue(l.length() <= 79, name + ": a help line of " + l.length()
                    + " columns, which picocli breaks: " + l));
            assertTrue(w.toString().lines().count() > 3, name);
            w.toString().lines().forEach(l -> assertTrue(l.length() <= 80, name + " --help: " + l.length()
                    + " columns: " + l));
        }
    }
}
