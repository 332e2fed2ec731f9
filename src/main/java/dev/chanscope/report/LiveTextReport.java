package dev.chanscope.report;

import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.goruntime.BlockedChannel;
import dev.chanscope.goruntime.BlockedClosedChannel;
import dev.chanscope.goruntime.BlockedHolder;
import dev.chanscope.goruntime.BlockedView;
import dev.chanscope.goruntime.BlockedWaiter;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.goruntime.Snapshot;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The terminal report of {@code chanscope attach}: a header about the process and how it was
 * left, then exactly what {@code analyze} prints for a core (the panic, the channel, the
 * panicking goroutine, and whatever later stages add to that report), then the live view:
 * every channel goroutines are blocked on, goroutines blocked forever, closed channels still
 * held.
 */
public final class LiveTextReport {

    public String render(Snapshot s, BlockedView v, LiveFacts f, JsonReport.Input in, Optional<Diagnosis> d,
                         SourceIndex source) {
        return render(s, v, f, in, d, source, false);
    }

    public String render(Snapshot s, BlockedView v, LiveFacts f, JsonReport.Input in, Optional<Diagnosis> d,
                         SourceIndex source, boolean verbose) {
        StringBuilder b = new StringBuilder();
        header(b, f);
        String analyze = new TextReport().analyze(s, in, d, source, verbose);
        // analyze's first line names a core and its binary; the header above replaces it.
        int nl = analyze.indexOf('\n');
        b.append(nl >= 0 ? analyze.substring(nl + 1) : analyze);
        b.append('\n');
        blocked(b, v);
        held(b, v);
        if (!v.warnings().isEmpty()) {
            b.append("\nWARNINGS (live view)\n");
            v.warnings().forEach(w -> b.append("  ").append(w).append('\n'));
        }
        return b.toString();
    }

    private static void header(StringBuilder b, LiveFacts f) {
        b.append("chanscope: process ").append(f.pid()).append(" (").append(f.name()).append("), binary ")
                .append(f.binary()).append('\n');
        if (f.stoppedBefore()) {
            b.append("  found ").append(f.stateBefore());
            f.selfStoppingThread().ifPresent(t -> b.append(" by its own thread ").append(t).append(" (a stop signal to itself)"));
            b.append("; held ").append(millis(f.pausedNanos())).append("; left ").append(f.stateAfter()).append('\n');
        } else {
            b.append("  found ").append(f.stateBefore()).append("; paused ").append(millis(f.pausedNanos()))
                    .append(" while read; left ").append(f.stateAfter()).append('\n');
        }
        if (!f.restored()) {
            b.append("  WARNING: the process is not in the state it was found in\n");
        }
        f.restore().forEach(r -> b.append("  restored with ").append(r).append('\n'));
        b.append("  memory read with ").append(f.memoryPath()).append('\n');
        f.snapshot().ifPresent(sn -> b.append("  snapshot: ").append(sn.path()).append(" (").append(sn.format())
                .append(", ").append(size(sn.bytes())).append("; core of ").append(size(sn.coreBytes()))
                .append(" written in ").append(millis(sn.writeNanos())).append(")\n"));
    }

    private static void blocked(StringBuilder b, BlockedView v) {
        // "about": g.waitsince is the runtime's estimate, right to within a GC cycle; the runtime
        // records it only from the second GC after a goroutine blocks (BlockedWaiter).
        long waiters = v.channels().stream().mapToLong(c -> c.waiters().size()).sum();
        b.append("BLOCKED ON CHANNELS (").append(v.channels().size()).append(v.channels().size() == 1 ? " channel, " : " channels, ")
                .append(waiters).append(waiters == 1 ? " goroutine)\n" : " goroutines)\n");
        if (v.channels().isEmpty()) {
            b.append("  no goroutine is parked on a channel\n");
        }
        for (BlockedChannel c : v.channels()) {
            channelLine(b, c.channel());
            for (BlockedWaiter w : c.waiters()) {
                waiter(b, w);
            }
            Hchan h = c.channel();
            if (!(h.wokenSenders().isEmpty() && h.wokenReceivers().isEmpty() && h.wokenSelects().isEmpty())) {
                b.append("    woken by the close: senders ").append(ids(h.wokenSenders())).append("; receivers ")
                        .append(ids(h.wokenReceivers())).append("; selects ").append(ids(h.wokenSelects())).append('\n');
            }
        }
        if (!v.forever().isEmpty()) {
            b.append("BLOCKED FOREVER (nil channel or empty select)\n");
            v.forever().forEach(w -> waiter(b, w));
        }
    }

    private static void held(StringBuilder b, BlockedView v) {
        b.append("CLOSED CHANNELS STILL HELD (").append(v.closedHeld().size()).append(")\n");
        if (v.closedHeld().isEmpty()) {
            b.append("  no goroutine's stack points at a closed channel\n");
        }
        for (BlockedClosedChannel c : v.closedHeld()) {
            channelLine(b, c.channel());
            for (BlockedHolder h : c.holders()) {
                b.append("    goroutine ").append(h.goroutine()).append(" [").append(h.state()).append("] in ")
                        .append(h.function()).append(", ").append(h.via()).append('\n');
                b.append("      ").append(h.couldSend()
                        ? "could send on it: its stack runs code that sends (" + String.join(", ", h.senders()) + ")"
                        : "no channel send in its stack's code").append('\n');
            }
        }
    }

    private static void channelLine(StringBuilder b, Hchan h) {
        b.append("  CHANNEL 0x").append(Long.toHexString(h.address())).append("  chan ").append(h.elemType())
                .append(h.capacity() == 0 ? " (unbuffered)" : " (buffer " + h.buffered() + "/" + h.capacity() + ")")
                .append(h.closed() ? ", closed" : ", open").append('\n');
    }

    private static void waiter(StringBuilder b, BlockedWaiter w) {
        b.append("    goroutine ").append(w.goroutine()).append(' ').append(w.operation())
                .append(w.select() ? " (in select)" : "").append(" [").append(w.state()).append(']');
        if (w.blockedFor().isPresent()) {
            b.append(", blocked about ").append(duration(w.blockedFor().getAsLong()));
        } else if (w.waitSince() == 0) {
            b.append(", blocked for a time not yet recorded");
        }
        w.at().ifPresent(f -> b.append("  ").append(f.function()).append("  ").append(f.location()));
        b.append('\n');
    }

    private static String ids(List<Long> ids) {
        return ids.isEmpty() ? "none" : ids.stream().map(i -> "goroutine " + i).collect(Collectors.joining(", "));
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    static String duration(long nanos) {
        double s = nanos / 1e9;
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.0f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }

    private static String size(long bytes) {
        if (bytes < 10 * 1024) {
            return bytes + " bytes";
        }
        if (bytes < 10L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }
}
