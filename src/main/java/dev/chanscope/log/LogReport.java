package dev.chanscope.log;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.report.DiagnosisText;
import dev.chanscope.report.JsonReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report of {@code chanscope log}, in the shapes of {@code analyze}: text and Markdown say
 * first that it comes from a log and what a core would have added; the JSON is the analyze
 * schema with {@code input.kind: "log"} and a {@code log} object (docs/json-schema.md).
 */
public final class LogReport {
    /** Frames printed per goroutine group in the text report. */
    private static final int GROUP_FRAMES = 12;

    private final SourceIndex source;
    private final boolean verbose;

    public LogReport(SourceIndex source, boolean verbose) {
        this.source = source;
        this.verbose = verbose;
    }

    // ---- text ----

    public String text(LogAnalysis a) {
        Snapshot s = a.model().snapshot();
        StringBuilder b = new StringBuilder();
        b.append("chanscope: log ").append(a.log());
        if (a.crashes() > 1) {
            b.append(" (crash ").append(a.crashIndex()).append(" of ").append(a.crashes()).append(", the last is 1)");
        }
        b.append(", lines ").append(a.traceback().firstLine()).append('-').append(a.traceback().lastLine());
        b.append(", binary ").append(a.binary().orElse("none")).append('\n');
        b.append("From a crash log, not a core: what the runtime printed (GOTRACEBACK level seen: ")
                .append(a.model().level()).append("). A core would add:\n");
        a.model().absent().forEach(x -> b.append("  - ").append(x).append('\n'));
        a.model().check().ifPresent(c -> b.append("Binary: ").append(c.describe()).append('\n'));
        if (a.binary().isEmpty()) {
            b.append("No verdict without the binary (--binary BIN): its code ties closes to the channel.\n");
        }
        a.diagnosis().ifPresent(d -> b.append('\n').append(fromLog(new DiagnosisText(false, source, verbose).render(d,
                Optional.of(s)))));
        candidates(b, a, false);
        b.append('\n');
        s.panic().ifPresent(p -> panic(b, p, a));
        groups(b, a, false);
        if (!s.warnings().isEmpty()) {
            b.append("\nWARNINGS (the report may be incomplete)\n");
            s.warnings().forEach(w -> b.append("  ").append(w).append('\n'));
        }
        return b.toString();
    }

    /**
     * The verdict section speaks of "the core" where it says what the reading shows; here the
     * reading is the log. Only those fixed phrases of DiagnosisText are changed.
     */
    static String fromLog(String verdict) {
        return verdict.replace("(the core shows this close ran)", "(the log shows this close ran)")
                .replace("(the core cannot tell which closing site ran", "(the log cannot tell which closing site ran")
                .replace("the verdict rests on the binary and the core", "the verdict rests on the binary and the log")
                .replace("the core is incomplete, so the verdict", "the log is incomplete, so the verdict");
    }

    private static void panic(StringBuilder b, PanicRecord p, LogAnalysis a) {
        Snapshot s = a.model().snapshot();
        b.append("PANIC: ").append(p.message()).append('\n');
        if (p.goroutineId() != 0) {
            b.append("  in goroutine ").append(p.goroutineId());
            s.goroutine(p.goroutineId()).flatMap(Goroutine::createdBy).ifPresent(c -> b.append(", created by ")
                    .append(c.function()).append(" at ").append(c.location()));
            b.append('\n');
        }
        if (p.kind().isChannelPanic()) {
            b.append("  raised by: ").append(site(p)).append('\n');
        }
        p.userFrame().ifPresent(f -> b.append("  user code: ").append(f.function()).append("  ").append(f.location())
                .append('\n'));
        if (p.chain().size() > 1 || p.chain().stream().anyMatch(PanicRecord.ChainEntry::recovered)) {
            b.append("  panic chain (newest first):\n");
            for (PanicRecord.ChainEntry e : p.chain()) {
                b.append("    ").append(e.message()).append(e.recovered() ? " [recovered]" : "")
                        .append(e.repanicked() ? " [repanicked]" : "").append('\n');
            }
        }
        a.traceback().signals().stream().findFirst().ifPresent(x -> b.append("  signal: ").append(x.name()).append(": ")
                .append(x.description()).append(x.detail().isEmpty() ? "" : " (" + x.detail() + ")").append('\n'));
        if (!a.traceback().alsoPanicking().isEmpty()) {
            b.append("  also panicking at the same moment: goroutines ").append(a.traceback().alsoPanicking()).append('\n');
        }
        a.model().channel().ifPresent(c -> {
            b.append("  channel: 0x").append(Long.toHexString(c)).append(" (the runtime frame's first argument)");
            List<Long> waiting = s.waitingOn().entrySet().stream().filter(e -> e.getValue() == c && e.getKey()
                    != p.goroutineId()).map(Map.Entry::getKey).toList();
            b.append(waiting.isEmpty() ? "; no other goroutine in the log waits on it" : "; also waiting on it: goroutines "
                    + waiting).append('\n');
        });
    }

    private static String site(PanicRecord p) {
        return switch (p.site()) {
            case CHANSEND_FIRST_CHECK -> "runtime.chansend, first check: the channel was already closed when the send began";
            case CHANSEND_AFTER_PARK -> "runtime.chansend, after gopark: the sender was blocked on the channel and the"
                    + " close woke it";
            case SELECTGO -> "runtime.selectgo: a send case of a select found the channel closed";
            case SELECTNBSEND -> "runtime.selectnbsend: a select with a send case and a default found the channel closed";
            case CLOSECHAN -> "runtime.closechan";
            case OTHER -> "not determined from the log (GOTRACEBACK=system or crash prints the runtime's frames)";
        };
    }

    private void candidates(StringBuilder b, LogAnalysis a, boolean md) {
        if (a.binary().isPresent()) {
            return;
        }
        if (a.candidates().isEmpty()) {
            if (source.searches() && a.model().snapshot().panic().map(p -> p.kind().isChannelPanic()).orElse(false)) {
                b.append(md ? "\n" : "\n").append("No candidate closing statement was found in the source of the"
                        + " goroutines' files.\n");
            }
            return;
        }
        b.append(md ? "\n### Pattern candidates (from the source; not a verdict)\n\n"
                : "\nPATTERN CANDIDATES (from the source alone: not a verdict; nothing ties them to this channel's"
                + " value or shows that they ran)\n");
        for (SourceCandidates.Candidate c : a.candidates()) {
            b.append(md ? "- " : "  - ").append(c.suggests()).append(": ").append(c.function()).append(" at ")
                    .append(c.file()).append(':').append(c.line()).append(md ? " `" : "  ").append(c.statement())
                    .append(md ? "`" : "").append(" (").append(c.why()).append(")\n");
        }
    }

    private static void groups(StringBuilder b, LogAnalysis a, boolean md) {
        List<List<Goroutine>> gs = LogAnalyzer.groups(a);
        b.append(md ? "### Goroutines, grouped by identical stacks\n\n```\n" : "GOROUTINES (grouped by identical stacks)\n");
        for (List<Goroutine> group : gs) {
            Goroutine g = group.get(0);
            b.append("  ").append(group.size()).append(group.size() == 1 ? " goroutine" : " goroutines").append(" [")
                    .append(g.state()).append("]: ");
            b.append(String.join(", ", group.stream().limit(20).map(x -> Long.toString(x.id())).toList()));
            if (group.size() > 20) {
                b.append(", ...");
            }
            b.append('\n');
            int n = 0;
            for (Frame f : g.frames()) {
                if (n++ == GROUP_FRAMES) {
                    b.append("      ...\n");
                    break;
                }
                b.append("      ").append(f.function()).append(f.inlined() ? " (inlined)" : "").append('\n');
                b.append("          ").append(f.location()).append('\n');
            }
            g.createdBy().ifPresent(c -> b.append("      created by ").append(c.function()).append(" at ")
                    .append(c.location()).append('\n'));
        }
        if (md) {
            b.append("```\n");
        }
    }

    // ---- markdown ----

    public String markdown(LogAnalysis a) {
        Snapshot s = a.model().snapshot();
        StringBuilder b = new StringBuilder();
        String msg = s.panic().map(PanicRecord::message).orElse("Go crash");
        b.append("## chanscope: ").append(a.diagnosis().map(d -> d.pattern().id() + ": " + msg).orElse(msg))
                .append(" (from a log)\n\n");
        b.append("_From a crash log, not a core. A core would add:_\n\n");
        a.model().absent().forEach(x -> b.append("- ").append(x).append('\n'));
        b.append('\n');
        a.diagnosis().ifPresent(d -> b.append(fromLog(new DiagnosisText(true, source, verbose).render(d, Optional.of(s)))));
        candidates(b, a, true);
        b.append("\n### Log\n\n| | |\n|---|---|\n");
        b.append("| log | `").append(a.log()).append("` lines ").append(a.traceback().firstLine()).append('-')
                .append(a.traceback().lastLine()).append(a.crashes() > 1 ? " (crash " + a.crashIndex() + " of "
                + a.crashes() + ")" : "").append(" |\n");
        b.append("| binary | ").append(a.binary().map(x -> "`" + x + "`").orElse("none")).append(" |\n");
        a.model().check().ifPresent(c -> b.append("| binary check | ").append(c.describe()).append(" |\n"));
        b.append("| GOTRACEBACK seen | ").append(a.model().level()).append(" |\n");
        b.append("| goroutines | ").append(s.goroutines().size()).append(" |\n");
        s.panic().ifPresent(p -> b.append("| panic | `").append(p.message()).append("` in goroutine ")
                .append(p.goroutineId()).append(" (").append(p.site().id()).append(") |\n"));
        a.model().channel().ifPresent(c -> b.append("| channel | `0x").append(Long.toHexString(c)).append("` |\n"));
        b.append('\n');
        groups(b, a, true);
        if (!s.warnings().isEmpty()) {
            b.append("\n### Warnings\n\n");
            s.warnings().forEach(w -> b.append("- ").append(w).append('\n'));
        }
        return b.toString();
    }

    // ---- JSON ----

    /** The analyze schema with {@code input.kind: "log"} and a {@code log} object. */
    public ObjectNode json(JsonReport jr, LogAnalysis a) {
        Snapshot s = a.model().snapshot();
        ObjectNode root = jr.build(s, new JsonReport.Input(a.log(), a.binary().orElse(null), List.of()), true, -1);
        ObjectNode in = (ObjectNode) root.get("input");
        ObjectNode input = in.objectNode();
        input.put("kind", "log");
        // "core" names the input file in every report (batch keys its lines on it); here the log
        input.put("core", a.log());
        input.put("log", a.log());
        input.set("binary", in.get("binary"));
        input.set("layers", in.get("layers"));
        root.set("input", input);
        // The panicking goroutine: a log has no g._panic, the panic line and the first stack say it.
        ArrayNode pan = (ArrayNode) root.get("panicking");
        s.panic().filter(p -> p.goroutineId() != 0 && pan.isEmpty()).ifPresent(p -> {
            ObjectNode o = pan.addObject();
            o.put("goroutine", p.goroutineId());
            o.put("died", true);
            p.userFrame().ifPresent(f -> {
                o.put("function", f.function());
                o.put("file", f.file());
                o.put("line", f.line());
            });
        });
        if (a.diagnosis().isPresent()) {
            root = jr.withDiagnosis(root, a.diagnosis().get());
        }
        ObjectNode log = root.putObject("log");
        log.put("crash", a.crashIndex());
        log.put("crashes", a.crashes());
        log.put("firstLine", a.traceback().firstLine());
        log.put("lastLine", a.traceback().lastLine());
        log.put("level", a.model().level());
        a.model().channel().ifPresentOrElse(c -> log.put("channel", String.format("0x%x", c)), () -> log.putNull("channel"));
        ArrayNode also = log.putArray("alsoPanicking");
        a.traceback().alsoPanicking().forEach(also::add);
        a.model().check().ifPresentOrElse(c -> {
            ObjectNode o = log.putObject("binaryCheck");
            o.put("matches", c.matches());
            o.put("checkedFrames", c.checked());
            o.put("uncheckedFrames", c.unchecked());
            ArrayNode mm = o.putArray("mismatches");
            c.mismatches().forEach(mm::add);
        }, () -> log.putNull("binaryCheck"));
        ArrayNode absent = log.putArray("coreWouldAdd");
        a.model().absent().forEach(absent::add);
        ArrayNode cands = log.putArray("candidates");
        for (SourceCandidates.Candidate c : a.candidates()) {
            ObjectNode o = cands.addObject();
            o.put("function", c.function());
            o.put("file", c.file());
            o.put("line", c.line());
            o.put("statement", c.statement());
            o.put("suggests", c.suggests());
            o.put("why", c.why());
        }
        ArrayNode groups = log.putArray("groups");
        for (List<Goroutine> g : LogAnalyzer.groups(a)) {
            ObjectNode o = groups.addObject();
            o.put("state", g.get(0).state());
            ArrayNode ids = o.putArray("goroutines");
            g.forEach(x -> ids.add(x.id()));
            g.get(0).frames().stream().filter(f -> !f.inlined()).findFirst().ifPresent(f -> o.put("top", f.function()));
        }
        return root;
    }
}
