package dev.chanscope.report;

import dev.chanscope.binary.CallSite;
import dev.chanscope.binary.SourcePos;
import dev.chanscope.diagnose.CloserCandidate;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.Evidence;
import dev.chanscope.diagnose.Pattern;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.diagnose.Wrappers;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The diagnosis as an incident note for someone woken at 3 a.m.: the verdict, the culprit, the
 * victim and the fix first, in plain words, with the warnings that change their meaning right
 * under them; then every closing site and whether it ran, the code, the evidence as sentences,
 * and the fix's steps. With {@code verbose}, the evidence's weights and internal notation, the
 * runners-up and the calls that could not be followed (always all in the JSON). Plain text or
 * Markdown from the same content.
 */
public final class DiagnosisText {
    /** Where each pattern's page lives, relative to the project (docs/patterns.md). */
    static final String PATTERNS_DOC = "docs/patterns.md";

    private final boolean markdown;
    private final SourceIndex source;
    private final boolean verbose;

    public DiagnosisText(boolean markdown, SourceIndex source) {
        this(markdown, source, false);
    }

    public DiagnosisText(boolean markdown, SourceIndex source, boolean verbose) {
        this.markdown = markdown;
        this.source = source;
        this.verbose = verbose;
    }

    /** Words for a confidence, so that nobody has to know what 0.75 means. */
    public static String words(double confidence) {
        if (confidence >= 0.95) {
            return "certain";
        }
        if (confidence >= 0.85) {
            return "very likely";
        }
        if (confidence >= 0.70) {
            return "likely";
        }
        if (confidence >= 0.50) {
            return "possible";
        }
        return "not determined";
    }

    public String render(Diagnosis d) {
        return render(d, Optional.empty());
    }

    public String render(Diagnosis d, Optional<Snapshot> snapshot) {
        StringBuilder b = new StringBuilder();
        summary(b, d, snapshot);
        closingSites(b, d);
        b.append(d.headline()).append("\n\n");
        d.closer().ifPresent(c -> closer(b, c));
        d.sender().ifPresent(s -> {
            heading(b, "VICTIM");
            b.append(bullet()).append(s.function()).append(" at ").append(s.location()).append('\n');
            code(b, source.context(s.file(), s.line(), 2, 1));
            b.append('\n');
        });
        if (verbose) {
            heading(b, "EVIDENCE");
            for (Evidence e : d.evidence()) {
                b.append(bullet()).append('[').append(e.weight().name().toLowerCase(Locale.ROOT)).append("] ")
                        .append(e.text()).append('\n');
            }
        } else {
            heading(b, "WHY");
            for (String s : plainEvidence(d)) {
                b.append(bullet()).append(s).append('\n');
            }
        }
        b.append('\n');
        if (!d.runnersUp().isEmpty() && (verbose || d.pattern() == Pattern.UNDETERMINED)) {
            heading(b, "ALSO CONSIDERED");
            for (Diagnosis.RunnerUp r : d.runnersUp()) {
                b.append(bullet()).append(r.pattern().id())
                        .append(String.format(Locale.ROOT, " (%.2f): ", r.confidence())).append(r.why()).append('\n');
            }
            b.append('\n');
        }
        if (!d.missing().isEmpty()) {
            heading(b, "MISSING EVIDENCE");
            d.missing().forEach(m -> b.append(bullet()).append(m).append('\n'));
            b.append('\n');
        }
        heading(b, "FIX");
        b.append(d.fix().summary()).append('\n');
        int i = 1;
        for (String step : d.fix().steps()) {
            b.append("  ").append(i++).append(". ").append(step).append('\n');
        }
        docLink(d).ifPresent(l -> b.append("  Before/after example: ").append(l).append('\n'));
        b.append('\n');
        if (verbose && !d.unresolved().isEmpty()) {
            heading(b, "NOT RESOLVED");
            d.unresolved().forEach(u -> b.append(bullet()).append(u).append('\n'));
            b.append('\n');
        } else if (!d.unresolved().isEmpty()) {
            b.append(d.unresolved().size()).append(" call(s) the binary scan could not follow (--verbose lists them).\n\n");
        }
        return b.toString();
    }

    /** The first lines: verdict, culprit, victim, fix, warnings. */
    private void summary(StringBuilder b, Diagnosis d, Optional<Snapshot> snapshot) {
        String conf = String.format(Locale.ROOT, "%.2f", d.confidence());
        if (markdown) {
            b.append("### VERDICT: ").append(d.pattern().id()).append(" — ").append(words(d.confidence()))
                    .append(" (confidence ").append(conf).append(")\n\n");
        } else {
            b.append("VERDICT: ").append(d.pattern().id()).append(" — ").append(words(d.confidence()))
                    .append(" (confidence ").append(conf).append(")\n");
        }
        List<String> lines = new ArrayList<>();
        d.closer().ifPresent(c -> lines.add(label("Culprit") + culprit(d, c)));
        boolean closing = snapshot.flatMap(Snapshot::panic)
                .map(p -> p.kind() == dev.chanscope.goruntime.PanicKind.CLOSE_OF_CLOSED).orElse(false);
        d.sender().ifPresent(s -> lines.add(label("Victim") + s.function() + snapshot.flatMap(x -> x.panic())
                .map(p -> " (goroutine " + p.goroutineId() + ")").orElse("")
                + (closing ? " closed it again at " : " then sent on the closed channel at ") + s.location()
                + " and panicked"));
        lines.add(label("Fix") + d.fix().summary() + docLink(d).map(l -> " See " + l + ".").orElse(""));
        for (String w : warnings(d, snapshot)) {
            lines.add(label("WARNING") + w);
        }
        snapshot.ifPresent(s -> otherPanics(s).ifPresent(x -> lines.add(label("Also") + x)));
        for (String l : lines) {
            b.append(markdown ? "- " : "  ").append(l).append('\n');
        }
        b.append('\n');
    }

    private String label(String s) {
        return markdown ? "**" + s + ":** " : String.format("%-9s", s + ":");
    }

    private String culprit(Diagnosis d, CloserCandidate c) {
        SourcePos p = c.site().source();
        String who = c.site().wrapper() == CallSite.Wrapper.DEFER_WRAPPER
                ? "the deferred close in " + Wrappers.enclosing(c.site().physical()) : p.function();
        String verb = switch (d.basis()) {
            case SHOWN_RAN, ONLY_SITE, ELIMINATION -> " closed the channel at ";
            case UNDECIDED -> " may have closed the channel at ";
            case NONE -> " is the best guess for the close, at ";
        };
        String why = switch (d.basis()) {
            case SHOWN_RAN -> " (the core shows this close ran)";
            case ONLY_SITE -> " (the only closing site tied to this channel)";
            case ELIMINATION -> " (every other closing site had not run yet)";
            case UNDECIDED -> " (the core cannot tell which closing site ran: all are listed below)";
            case NONE -> " (nothing ties a close to this channel)";
        };
        return who + verb + p.location() + why;
    }

    /** Warnings that change what the verdict means. */
    private List<String> warnings(Diagnosis d, Optional<Snapshot> snapshot) {
        List<String> out = new ArrayList<>();
        snapshot.ifPresent(s -> {
            if (!s.warnings().isEmpty()) {
                out.add("the core is incomplete, so the verdict may rest on missing data: " + s.warnings().get(0)
                        + (s.warnings().size() > 1 ? " (and " + (s.warnings().size() - 1) + " more, listed at the end)" : ""));
            }
            long unreadable = s.goroutines().stream().filter(g -> g.stackError().isPresent()).count();
            if (unreadable > 0) {
                out.add(unreadable + " goroutine stack(s) could not be read; a closer or sender may be among them");
            }
        });
        d.closer().map(c -> c.site().source().file()).or(() -> d.sender().map(SourcePos::file))
                .filter(f -> !source.has(f))
                .ifPresent(f -> out.add("source not found (" + f + "): the verdict rests on the binary and the core"
                        + " alone; pass --source-root DIR to check it against the code"));
        return out;
    }

    /** Goroutines panicking besides the one the process died of. */
    static Optional<String> otherPanics(Snapshot s) {
        long dying = s.panic().map(p -> p.goroutineId()).orElse(0L);
        List<String> others = new ArrayList<>();
        for (Goroutine g : s.goroutines()) {
            if (g.panicAddress() == 0 || g.id() == dying || g.status().kind() == GoStatus.Kind.DEAD) {
                continue;
            }
            others.add("goroutine " + g.id() + userFrame(g).map(f -> " in " + f.function() + " at " + f.location())
                    .orElse(""));
        }
        if (others.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the process died of goroutine " + dying + "'s panic, but " + String.join(", ", others)
                + (others.size() == 1 ? " was" : " were") + " panicking too");
    }

    static Optional<Frame> userFrame(Goroutine g) {
        return g.frames().stream().filter(f -> !f.function().startsWith("runtime.")).findFirst();
    }

    /** Every closing site tied to the channel, and which one ran: shown when there are several. */
    private void closingSites(StringBuilder b, Diagnosis d) {
        if (d.closingSites().size() < 2) {
            return;
        }
        heading(b, "CLOSING SITES (" + d.closingSites().size() + "): which one closed it");
        for (Diagnosis.ClosingSite s : d.closingSites()) {
            SourcePos p = s.candidate().site().source();
            String status = switch (s.status()) {
                case "ran" -> "RAN";
                case "not-yet" -> "did not run";
                default -> "may have run";
            };
            b.append(bullet()).append(p.location()).append("  ").append(p.function()).append(": ").append(status)
                    .append(s.culprit() ? " (the culprit)" : "").append('\n');
            b.append(markdown ? "  " : "      ").append(s.why()).append('\n');
        }
        b.append('\n');
    }

    /** A few plain sentences: the strongest evidence, without the machine code notation. */
    private static List<String> plainEvidence(Diagnosis d) {
        List<String> out = new ArrayList<>();
        for (Evidence e : d.evidence()) {
            if (e.weight() == Evidence.Weight.SUPPORTING && !e.kind().equals("channel")) {
                continue;
            }
            if (e.kind().equals("closer-ran") || e.kind().equals("closer-not-yet")) {
                continue; // in the summary and the closing sites
            }
            out.add(plain(e.text()));
            if (out.size() == 6) {
                break;
            }
        }
        return out;
    }

    /** An evidence text without the parenthesised machine-code operands. */
    static String plain(String text) {
        String t = text;
        for (String cut : List.of(" (recv:", " (machine code", "; machine code", ": Field(", ": CallResult(",
                ": Param(", ": Captured(", ": New(", ": Global(")) {
            int i = t.indexOf(cut);
            if (i >= 0) {
                t = t.substring(0, i);
            }
        }
        return t;
    }

    static Optional<String> docLink(Diagnosis d) {
        return switch (d.pattern()) {
            case MULTI_CLOSER, SEND_THEN_CLOSE, DOUBLE_CLOSE, PREMATURE_CLOSE, SELECT_CLOSE, DEFER_CLOSE ->
                    Optional.of(PATTERNS_DOC + "#" + d.pattern().id());
            case CLOSE_OF_NIL, UNDETERMINED -> Optional.of(PATTERNS_DOC + "#other-outcomes");
            case NOT_CHANNEL_PANIC -> Optional.empty();
        };
    }

    private void closer(StringBuilder b, CloserCandidate c) {
        heading(b, "CLOSER");
        SourcePos p = c.site().source();
        if (c.site().wrapper() == CallSite.Wrapper.DEFER_WRAPPER) {
            b.append(bullet()).append("deferred close in ").append(Wrappers.enclosing(c.site().physical()))
                    .append(" at ").append(p.location()).append(" (runs when it returns)");
        } else {
            b.append(bullet()).append(p.function()).append(" at ").append(p.location());
        }
        if (!c.site().physical().equals(p.function()) && c.site().wrapper() != CallSite.Wrapper.DEFER_WRAPPER) {
            b.append(" (compiled into ").append(c.site().physical()).append(')');
        }
        b.append('\n');
        if (!c.roots().isEmpty()) {
            b.append(bullet()).append("reachable from goroutines started at: ").append(String.join(", ", c.roots()))
                    .append('\n');
        }
        code(b, source.context(p.file(), p.line(), 3, 1));
        b.append('\n');
    }

    private void heading(StringBuilder b, String text) {
        b.append(markdown ? "### " + text : text).append('\n');
    }

    private String bullet() {
        return markdown ? "- " : "  - ";
    }

    private void code(StringBuilder b, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (markdown) {
            b.append("```go\n");
        }
        lines.forEach(l -> b.append(markdown ? "" : "    ").append(l).append('\n'));
        if (markdown) {
            b.append("```\n");
        }
    }
}
