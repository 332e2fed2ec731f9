package dev.chanscope.batch;

import dev.chanscope.SafePrintWriter;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The batch's progress on stderr: on a terminal a bar redrawn in place, with the ETA; elsewhere
 * (with {@code --progress}) a plain line at most every {@code period}, and a last one at the
 * end. The ETA is the remaining cores at the rate of the cores analyzed so far in this run, so
 * resumed cores, which take no time, do not make it optimistic.
 */
public final class BatchProgress implements BatchListener {
    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private final long periodNanos;
    private final Map<Status, Integer> counts = new EnumMap<>(Status.class);
    private ScheduledExecutorService ticker;
    private long start;
    private long lastLine;
    private int total;
    private int settled;
    private int analyzed;
    private int resumed;
    private int duplicates;

    /**
     * @param terminal draw a bar in place (stderr is a terminal), else print plain lines
     * @param period   between plain lines
     */
    public BatchProgress(PrintWriter err, boolean terminal, Duration period) {
        this.err = err;
        this.terminal = terminal;
        this.periodNanos = period.toNanos();
        for (Status s : Status.values()) {
            counts.put(s, 0);
        }
    }

    @Override
    public synchronized void started(int cores) {
        total = cores;
        start = System.nanoTime();
        lastLine = start;
        if (terminal) {
            // The clock and ETA move while a long core runs, not only when one finishes.
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "batch-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, 1, 1, TimeUnit.SECONDS);
            draw();
        }
    }

    @Override
    public synchronized void settled(How how, CoreOutcome outcome) {
        settled++;
        switch (how) {
            case ANALYZED -> analyzed++;
            case RESUMED -> resumed++;
            case DUPLICATE -> duplicates++;
        }
        if (outcome != null) {
            counts.merge(outcome.status(), 1, Integer::sum);
        }
        if (terminal) {
            draw();
        } else if (System.nanoTime() - lastLine >= periodNanos) {
            line();
        }
    }

    @Override
    public synchronized void finished() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (terminal) {
            SafePrintWriter.control(err, "\r\033[K");
        }
        err.println("chanscope: " + status() + " in " + clock(System.nanoTime() - start));
        err.flush();
    }

    private synchronized void draw() {
        int filled = total == 0 ? WIDTH : settled * WIDTH / total;
        SafePrintWriter.control(err, "\r\033[K");
        err.print("[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + status() + "  " + clock(
                System.nanoTime() - start) + eta());
        err.flush();
    }

    private void line() {
        lastLine = System.nanoTime();
        err.println("chanscope: " + status() + ", " + clock(lastLine - start) + " elapsed" + eta());
        err.flush();
    }

    private String status() {
        StringBuilder b = new StringBuilder().append(settled).append('/').append(total).append(" cores");
        for (Status s : Status.values()) {
            if (counts.get(s) > 0 && s != Status.OK) {
                b.append(", ").append(counts.get(s)).append(' ').append(s.id());
            }
        }
        if (resumed > 0) {
            b.append(", ").append(resumed).append(" resumed");
        }
        if (duplicates > 0) {
            b.append(", ").append(duplicates).append(duplicates == 1 ? " duplicate" : " duplicates");
        }
        long elapsed = System.nanoTime() - start;
        if (analyzed > 0 && elapsed > 0) {
            b.append(String.format(java.util.Locale.ROOT, ", %.1f cores/min", analyzed * 60e9 / elapsed));
        }
        return b.toString();
    }

    private String eta() {
        int left = total - settled;
        if (analyzed == 0 || left == 0) {
            return "";
        }
        long perCore = (System.nanoTime() - start) / analyzed;
        return ", ETA " + clock(perCore * left);
    }

    /** "42s", "3m07s", "1h02m" */
    static String clock(long nanos) {
        long s = TimeUnit.NANOSECONDS.toSeconds(nanos);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
