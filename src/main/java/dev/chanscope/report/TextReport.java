package dev.chanscope.report;

import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.PanicSite;
import dev.chanscope.goruntime.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The terminal report: what killed the program first, then the evidence. */
public final class TextReport {

    public String analyze(Snapshot s, JsonReport.Input in) {
        return analyze(s, in, java.util.Optional.empty(), dev.chanscope.diagnose.SourceIndex.none());
    }

    /** The verdict first when there is one, then the panic, the channel and the goroutines. */
    public String analyze(Snapshot s, JsonReport.Input in, java.util.Optional<dev.chanscope.diagnose.Diagnosis> d,
                          dev.chanscope.diagnose.SourceIndex source) {
        return analyze(s, in, d, source, false);
    }

    /** @param verbose the evidence's weights and notation, the runners-up, the calls not followed */
    public String analyze(Snapshot s, JsonReport.Input in, java.util.Optional<dev.chanscope.diagnose.Diagnosis> d,
                          dev.chanscope.diagnose.SourceIndex source, boolean verbose) {
        StringBuilder b = new StringBuilder();
        header(b, in);
        d.ifPresent(x -> b.append('\n').append(new DiagnosisText(false, source, verbose).render(x,
                java.util.Optional.of(s))));
        if (d.isEmpty()) {
            DiagnosisText.otherPanics(s).ifPresent(x -> b.append("Also: ").append(x).append('\n'));
        }
        b.append("Go ").append(s.goVersion()).append(layouts(s)).append(", ").append(s.goroutines().size()).append(" goroutines\n\n");
        s.panic().ifPresent(p -> panic(b, p, s));
        s.channel().ifPresent(c -> channel(b, c));
        s.panic().flatMap(p -> s.goroutine(p.goroutineId())).ifPresent(g -> {
            b.append("PANICKING GOROUTINE\n");
            goroutine(b, g, -1, "  ");
            b.append('\n');
        });
        others(b, s);
        if (!s.warnings().isEmpty()) {
            b.append("\nWARNINGS (the report may be incomplete)\n");
            s.warnings().forEach(w -> b.append("  ").append(w).append('\n'));
        }
        return b.toString();
    }

    /** Every goroutine, like the runtime's traceback. */
    public String goroutines(Snapshot s, JsonReport.Input in, int maxFrames) {
        java.io.StringWriter w = new java.io.StringWriter();
        goroutines(new java.io.PrintWriter(w), s, in, maxFrames, GoroutineFilter.ALL, false);
        return w.toString();
    }

    /**
     * The goroutines {@code filter} lets through, like the runtime's traceback, each written to
     * {@code out} as soon as it is formatted (a million goroutines never make one string); or,
     * {@code grouped}, each distinct stack once with how many goroutines have it and their ids.
     */
    public void goroutines(java.io.PrintWriter out, Snapshot s, JsonReport.Input in, int maxFrames,
                           GoroutineFilter filter, boolean grouped) {
        StringBuilder b = new StringBuilder();
        header(b, in);
        b.append("Go ").append(s.goVersion()).append(layouts(s)).append(", ").append(s.goroutines().size()).append(" goroutines\n\n");
        out.print(b);
        if (grouped) {
            List<StackGroups.Group> groups = StackGroups.of(s, filter);
            for (StackGroups.Group gr : groups) {
                b.setLength(0);
                b.append(gr.count()).append(gr.count() == 1 ? " goroutine: " : " goroutines: ")
                        .append(StackGroups.idsText(gr, 10)).append('\n');
                goroutine(b, gr.representative(), maxFrames, "", false);
                b.append('\n');
                out.print(b);
            }
            out.print(groups.size() + " distinct stacks" + (filter.all() ? "" : " among the goroutines listed") + "\n");
        } else {
            for (Goroutine g : s.goroutines()) {
                if (!filter.test(g, s)) {
                    continue;
                }
                b.setLength(0);
                goroutine(b, g, maxFrames, "");
                b.append('\n');
                out.print(b);
            }
        }
        out.flush();
    }

    private static void header(StringBuilder b, JsonReport.Input in) {
        b.append("chanscope: core ").append(in.core());
        if (!in.layers().isEmpty()) {
            b.append(" (").append(String.join(" → ", in.layers())).append(")");
        }
        b.append(", binary ").append(in.binary()).append('\n');
    }

    private static void panic(StringBuilder b, PanicRecord p, Snapshot s) {
        b.append("PANIC: ").append(p.message()).append('\n');
        if (p.goroutineId() != 0) {
            b.append("  in goroutine ").append(p.goroutineId());
            s.goroutine(p.goroutineId()).flatMap(Goroutine::createdBy)
                    .ifPresent(c -> b.append(", created by ").append(c.function()).append(" at ").append(c.location()));
            b.append('\n');
        }
        if (p.kind().isChannelPanic()) {
            b.append("  raised by: ").append(siteText(p.site())).append('\n');
        }
        p.userFrame().ifPresent(f -> b.append("  user code: ").append(f.function()).append("  ").append(f.location()).append('\n'));
        if (p.chain().size() > 1) {
            b.append("  panic chain (newest first):\n");
            for (PanicRecord.ChainEntry e : p.chain()) {
                b.append("    ").append(e.message());
                if (e.recovered()) {
                    b.append(" [recovered]");
                }
                if (e.repanicked()) {
                    b.append(" [repanicked]");
                }
                b.append('\n');
            }
        }
        b.append('\n');
    }

    static String siteText(PanicSite site) {
        return switch (site) {
            case CHANSEND_FIRST_CHECK -> "runtime.chansend, first check: the channel was already closed when the send began";
            case CHANSEND_AFTER_PARK -> "runtime.chansend, after gopark: the sender was blocked on the channel and the close woke it";
            case SELECTGO -> "runtime.selectgo: a send case of a select found the channel closed";
            case SELECTNBSEND -> "runtime.selectnbsend: a select with a send case and a default found the channel closed";
            case CLOSECHAN -> "runtime.closechan";
            case OTHER -> "not determined";
        };
    }

    private static void channel(StringBuilder b, Hchan c) {
        b.append("CHANNEL 0x").append(Long.toHexString(c.address())).append("  chan ").append(c.elemType());
        b.append(c.capacity() == 0 ? " (unbuffered)" : " (buffer " + c.buffered() + "/" + c.capacity() + ")");
        b.append(c.closed() ? ", closed" : ", open").append('\n');
        b.append("  receivers waiting: ").append(list(c.recvWaiters())).append('\n');
        b.append("  senders waiting:   ").append(list(c.sendWaiters())).append('\n');
        b.append("  woken by the close: senders ").append(list(c.wokenSenders())).append("; receivers ")
                .append(list(c.wokenReceivers())).append("; selects ").append(list(c.wokenSelects())).append('\n');
        b.append("  found by: ").append(c.foundBy()).append("\n\n");
    }

    private static String list(List<Long> ids) {
        return ids.isEmpty() ? "none" : ids.stream().map(i -> "goroutine " + i).collect(Collectors.joining(", "));
    }

    private static void others(StringBuilder b, Snapshot s) {
        Map<String, Integer> byState = new TreeMap<>();
        for (Goroutine g : s.goroutines()) {
            byState.merge(g.state(), 1, Integer::sum);
        }
        b.append("GOROUTINES BY STATE\n");
        byState.forEach((k, v) -> b.append(String.format("  %6d  %s%n", v, k)));
        b.append("  (chanscope goroutines CORE lists every stack)\n");
    }

    static void goroutine(StringBuilder b, Goroutine g, int maxFrames, String indent) {
        goroutine(b, g, maxFrames, indent, true);
    }

    /** @param one a single goroutine (its id, thread and parent shown), not a group's representative */
    private static void goroutine(StringBuilder b, Goroutine g, int maxFrames, String indent, boolean one) {
        b.append(indent).append(one ? "goroutine " + g.id() : "goroutines").append(" [").append(g.state());
        if (g.lockedToThread()) {
            b.append(", locked to thread");
        }
        b.append("]");
        if (one && g.threadLwp() >= 0) {
            b.append(" on thread ").append(g.threadLwp());
        }
        b.append(":\n");
        int i = 0;
        for (Frame f : g.frames()) {
            if (maxFrames >= 0 && i++ >= maxFrames) {
                b.append(indent).append("  ...").append(g.framesCut() ? "more frames, not unwound"
                        : (g.frames().size() - maxFrames) + " more frames").append('\n');
                break;
            }
            b.append(indent).append(f.function()).append(f.inlined() ? "(...)" : "()").append('\n');
            b.append(indent).append('\t').append(f.location()).append('\n');
        }
        g.stackError().ifPresent(e -> b.append(indent).append("  (stack incomplete: ").append(e).append(")\n"));
        g.createdBy().ifPresent(c -> {
            b.append(indent).append("created by ").append(c.function());
            if (one && g.parentId() != 0) {
                b.append(" in goroutine ").append(g.parentId());
            }
            b.append('\n').append(indent).append('\t').append(c.location()).append('\n');
        });
    }

    /** Said only when it is not the binary's own DWARF (a stripped binary: docs/stripped.md). */
    private static String layouts(Snapshot s) {
        return s.layouts().equals("DWARF") ? "" : " (runtime layouts from the " + s.layouts() + ")";
    }
}
