package dev.chanscope.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a run's wall time went ({@code --timings}, printed to stderr at the end): the start
 * (launcher and JVM, from the time scripts/chanscope passes as {@code -Dchanscope.t0}, seconds
 * since the epoch), then each stage. One per run, on the thread that runs the command.
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
        long jvm = launchedAt().map(s -> Duration.between(s, startInstant).toNanos()).orElse(0L);
        if (jvm > 0) {
            b.append(" launcher and JVM start ").append(seconds(jvm)).append(',');
        }
        for (Part p : parts) {
            b.append(' ').append(p.name()).append(' ').append(seconds(p.nanos())).append(',');
        }
        b.append(" total ").append(seconds(last - startNanos + Math.max(0, jvm)));
        return b.toString();
    }

    /** When the launcher started, if it said so. */
    private static java.util.Optional<Instant> launchedAt() {
        String t0 = System.getProperty("chanscope.t0", "");
        try {
            java.math.BigDecimal s = new java.math.BigDecimal(t0.replace(',', '.'));
            long secs = s.longValue();
            long nanos = s.subtract(java.math.BigDecimal.valueOf(secs)).movePointRight(9).longValue();
            return java.util.Optional.of(Instant.ofEpochSecond(secs, nanos));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    void print(PrintWriter err) {
        err.println(line());
        err.flush();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
