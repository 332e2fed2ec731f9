package dev.chanscope.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a run's wall time went ({@code --timings}, printed to stderr at the end): the JVM's
 * start (from the process's start time, which the kernel keeps in 10 ms ticks), then each stage.
 * One per run, on the thread that runs the command.
 */
final class Timings {
    private record Part(String name, long nanos) {}

    private final long startNanos = System.nanoTime();
    private final Instant startInstant = Instant.now();
    private final List<Part> parts = new ArrayList<>();
    private long last = startNanos;

    /** Ends the stage named {@code name} now. */
    void lap(String name) {
        long now = System.nanoTime();
        parts.add(new Part(name, now - last));
        last = now;
    }

    /** "jvm start 0.09 s, input 0.01 s, ..., total 1.23 s". */
    String line() {
        StringBuilder b = new StringBuilder("timings:");
        long jvm = ProcessHandle.current().info().startInstant()
                .map(s -> Duration.between(s, startInstant).toNanos()).orElse(0L);
        if (jvm > 0) {
            b.append(" jvm start ").append(seconds(jvm)).append(',');
        }
        for (Part p : parts) {
            b.append(' ').append(p.name()).append(' ').append(seconds(p.nanos())).append(',');
        }
        b.append(" total ").append(seconds(last - startNanos + Math.max(0, jvm)));
        return b.toString();
    }

    void print(PrintWriter err) {
        err.println(line());
        err.flush();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
