package dev.chanscope.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.cli.Main;
import dev.chanscope.testing.SampleCores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/**
 * Every chanscope command shown in a code block of README.md and docs/usage.md runs, with the
 * sample cores in place of the placeholders, and exits with the code the docs give: 0 unless the
 * line's comment says {@code exit N}. Synopsis lines (with {@code [} or {@code |}) are not
 * commands. So the docs cannot drift from the command line again.
 */
class DocCommandsTest {
    static final List<String> DOCS = List.of("README.md", "docs/usage.md");
    private static final Pattern COMMAND = Pattern.compile("^(?:scripts/)?chanscope(\\s.*)?$");
    private static final Pattern EXIT = Pattern.compile("\\bexit (\\d+)\\b");

    @TempDir
    Path tmp;

    /** A command line of a doc, without its prompt and comment, and the exit code it documents. */
    record DocCommand(String doc, String line, List<String> args, int exit) {}

    static List<DocCommand> commands(Path project) throws IOException {
        List<DocCommand> out = new ArrayList<>();
        for (String doc : DOCS) {
            boolean inBlock = false;
            for (String raw : Files.readAllLines(project.resolve(doc))) {
                if (raw.strip().startsWith("```")) {
                    inBlock = !inBlock;
                    continue;
                }
                String line = raw.strip();
                if (!inBlock || !COMMAND.matcher(line).matches()) {
                    continue;
                }
                int hash = line.indexOf(" #");
                String comment = hash < 0 ? "" : line.substring(hash);
                String cmd = (hash < 0 ? line : line.substring(0, hash)).strip();
                if (cmd.contains("[") || cmd.contains("|")) {
                    continue; // a synopsis, not a command
                }
                Matcher m = EXIT.matcher(comment);
                List<String> words = new ArrayList<>(List.of(cmd.split("\\s+")));
                words.remove(0); // scripts/chanscope
                out.add(new DocCommand(doc, line, words, m.find() ? Integer.parseInt(m.group(1)) : 0));
            }
        }
        return out;
    }

    @Test
    void everyDocumentedCommandExitsAsDocumented() throws Exception {
        Path project = SampleCores.projectDir();
        List<DocCommand> commands = commands(project);
        assertTrue(commands.size() >= 8, "found only " + commands);
        SampleCores.Entry e = SampleCores.get("1.26.8", "multi-closer");
        Path rel = project.relativize(e.dir());
        Path bins = Files.createDirectory(tmp.resolve("bins"));
        Files.copy(e.binaryXz(), bins.resolve("multi-closer.xz"));
        Path cores = Files.createDirectory(tmp.resolve("cores"));
        Files.copy(e.coreXz(), cores.resolve("core.xz"));
        Map<String, String> placeholders = new LinkedHashMap<>();
        placeholders.put("BIN", rel.resolve("binary.xz").toString());
        placeholders.put("CORE", rel.resolve("core.xz").toString());
        placeholders.put("SRC", "src/test/go");
        placeholders.put("crash.log", rel.resolve("stderr.txt").toString()); // the runtime's own traceback
        placeholders.put("BINS/", bins + "/");
        placeholders.put("CORES/", cores + "/");
        Process live = null;
        try {
            for (DocCommand c : commands) {
                List<String> args = new ArrayList<>();
                Path stdout = tmp.resolve("out.txt");
                for (int i = 0; i < c.args().size(); i++) {
                    String w = c.args().get(i);
                    if (w.equals(">")) {
                        stdout = tmp.resolve(c.args().get(++i));
                        continue;
                    }
                    if (w.equals("PID")) {
                        live = live != null ? live : startLive();
                        w = Long.toString(live.pid());
                    }
                    w = placeholders.getOrDefault(w, w);
                    if (w.endsWith(".jsonl") || w.endsWith(".md")) {
                        w = tmp.resolve(Path.of(w).getFileName()).toString(); // files it writes go to the temp dir
                        Files.deleteIfExists(Path.of(w));
                    }
                    args.add(w);
                }
                Run r = run(project, args, stdout);
                assertEquals(c.exit(), r.exit(), c.doc() + ": `" + c.line() + "` exited " + r.exit() + "\n" + r.err());
                assertFalse(r.err().contains("\tat "), c.line() + ": stack trace\n" + r.err());
                if (c.args().get(0).equals("attach")) {
                    // a healthy process: it did not die, and the report must not say it did
                    String out = Files.readString(stdout);
                    assertTrue(out.contains("No goroutine is panicking and no signal ended the process"), out);
                    assertFalse(out.contains("did not die"), out);
                }
                if (c.args().get(0).equals("log") && c.exit() == 0) {
                    // the crash's stderr names the same race as its core
                    String out = Files.readString(stdout);
                    assertTrue(out.contains("multi-closer"), out);
                }
                if (c.doc().equals("README.md") && c.args().contains("--source-root") && c.args().get(0).equals("analyze")
                        && !c.args().contains("--format")) {
                    // the sample: what the README says the report starts with
                    String out = Files.readString(stdout);
                    assertTrue(out.contains("VERDICT: multi-closer"), out);
                    assertTrue(out.contains("Culprit: main.(*Collector).watchdog closed the channel at ")
                            && out.contains("main.go:121"), out);
                    assertTrue(out.contains("close(c.results)"), "no source lines:\n" + out);
                }
            }
        } finally {
            if (live != null) {
                live.destroyForcibly().waitFor();
            }
        }
    }

    record Run(int exit, String err) {}

    private Run run(Path project, List<String> args, Path stdout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile());
        pb.environment().put("CHANSCOPE_CACHE", tmp.resolve("cache").toString());
        pb.redirectOutput(stdout.toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "did not finish: " + args);
        return new Run(p.exitValue(), Files.readString(tmp.resolve("err.txt")));
    }

    /** A healthy Go program with goroutines blocked on channels (src/test/resources/live), once it is ready. */
    private Process startLive() throws IOException {
        Path bin = tmp.resolve("live-blocked");
        try (InputStream in = new XZInputStream(DocCommandsTest.class.getResourceAsStream("/live/go1.26.8/live-blocked.xz"))) {
            Files.copy(in, bin);
        }
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process p = new ProcessBuilder(bin.toString()).directory(tmp.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String l;
        while ((l = r.readLine()) != null && !l.equals("ready")) {
            // its first lines
        }
        assertEquals("ready", l, "live-blocked did not start");
        return p;
    }
}
