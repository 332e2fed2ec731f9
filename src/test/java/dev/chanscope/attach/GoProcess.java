package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Go test program running as a child of the test JVM, watched through /proc. */
final class GoProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Path stderr;
    private final Thread reader;

    private GoProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::readLines, "go-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code binary args} in {@code dir} with GOMAXPROCS=1 (goroutine ids then do not depend on scheduling). */
    static GoProcess start(Path dir, Path binary, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("GOMAXPROCS", "1");
        pb.environment().remove("GOTRACEBACK");
        pb.environment().putAll(env);
        Path err = dir.resolve(binary.getFileName() + "-" + System.nanoTime() + ".stderr");
        pb.redirectError(err.toFile());
        return new GoProcess(pb.start(), err);
    }

    int pid() {
        return (int) process.pid();
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(l);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Waits until the program printed {@code line}. */
    void awaitLine(String line, long seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (lines) {
            while (!lines.contains(line)) {
                long left = end - System.nanoTime();
                if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                    fail("the program did not print '" + line + "'; it printed " + lines + "; stderr: " + stderrText());
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** The state letter of /proc/PID/stat ('T' stopped, 't' traced, 'S', 'R'...). */
    char state() {
        return Proc.state(pid());
    }

    int tracerPid() {
        return Proc.tracerPid(pid());
    }

    void signal(String sig) throws IOException, InterruptedException {
        Proc.signal(pid(), sig);
    }

    /** Sends SIGSTOP and waits until the whole process is stopped (T). */
    void stopAndWait() throws IOException, InterruptedException {
        signal("STOP");
        awaitState('T', 10);
    }

    void awaitState(char want, long seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (state() == want && Proc.threadStates(pid()).chars().allMatch(c -> c == want)) {
                return;
            }
            Thread.sleep(5);
        }
        fail("process " + pid() + " did not reach state " + want + "; it is " + state() + " (threads "
                + Proc.threadStates(pid()) + ")");
    }

    void sendLine(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for the program to exit; returns its exit code. */
    int awaitExit(long seconds) throws InterruptedException {
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "the program did not finish; state " + state()
                + ", output " + stdout() + ", stderr " + stderrText());
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    List<String> stdout() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the program whatever its state (SIGKILL works on a stopped process too). */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
