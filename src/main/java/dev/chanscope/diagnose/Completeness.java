package dev.chanscope.diagnose;

import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the snapshot was read completely and plausibly enough to judge. A verdict on an
 * incomplete reading is never stated with confidence: "not a channel panic" becomes
 * undetermined, and any other verdict stays below {@link #CAP}. A verdict read from a core that
 * holds impossible states ({@link Snapshot#implausible()}: a damaged core) stays at or below
 * {@link #IMPLAUSIBLE_CAP}. The reasons go into the diagnosis's missing evidence.
 */
public final class Completeness {
    /** The highest confidence a verdict on an incomplete reading may have (below the 0.8 of a confident one). */
    static final double CAP = 0.6;

    /** The highest confidence of a verdict from an implausible core. */
    public static final double IMPLAUSIBLE_CAP = 0.79;

    private Completeness() {
    }

    /** Why the reading is incomplete, one line each; empty when nothing decisive is missing. */
    static List<String> gaps(Snapshot s) {
        List<String> out = new ArrayList<>();
        if (s.goroutines().isEmpty()) {
            out.add("no goroutine could be read");
        }
        Optional<PanicRecord> p = s.panic();
        if (p.isPresent() && p.get().goroutineId() != 0) {
            s.goroutine(p.get().goroutineId()).filter(g -> g.frames().isEmpty()).ifPresent(g ->
                    out.add("the panicking goroutine " + g.id() + " has no stack frames"));
        }
        if (p.isEmpty() || p.get().goroutineId() == 0) {
            // No panicking goroutine: conclusive only if every goroutine was read.
            s.warnings().stream().filter(w -> w.contains("unreadable") && w.contains("goroutine")).findFirst()
                    .ifPresent(w -> out.add("goroutines are missing, and the panicking one may be among them (" + w + ")"));
        }
        return List.copyOf(out);
    }

    /** The diagnosis as the reading of {@code s} allows it to be stated. */
    static Diagnosis limit(Diagnosis d, Snapshot s) {
        return limitImplausible(limit(d, gaps(s)), s.implausible());
    }

    /** The diagnosis as an incomplete reading allows it to be stated. */
    static Diagnosis limit(Diagnosis d, List<String> gaps) {
        if (gaps.isEmpty()) {
            return d;
        }
        String why = String.join("; ", gaps);
        List<String> missing = new ArrayList<>(d.missing());
        missing.add(0, "a complete reading of the core: " + why);
        if (d.pattern() == Pattern.NOT_CHANNEL_PANIC) {
            String headline = "Undetermined: the core could not be read completely (" + why
                    + "), so chanscope cannot tell whether this was a channel panic.";
            return d.limitedTo(Pattern.UNDETERMINED, 0.0, headline, missing, Fixes.none("an incomplete reading"));
        }
        double conf = Math.min(d.confidence(), CAP);
        String headline = conf < d.confidence() ? d.headline() + " (incomplete reading: " + why + ")" : d.headline();
        return d.limitedTo(d.pattern(), conf, headline, missing, d.fix());
    }

    /**
     * The highest confidence of a verdict from a log that rests on what a log cannot show:
     * premature-close is the rule of exclusion (no second closing root tied to the channel), and
     * the goroutines that hold the channel, its waiters and the goroutines that exited, which
     * only a core shows, can tie another close to it (making it multi-closer); and a culprit tied
     * only by supporting evidence may be another than the core's evidence would pick.
     */
    public static final double LOG_CAP = 0.75;

    /**
     * The diagnosis as a crash log allows it to be stated: the evidence only a core holds is
     * listed as missing, and the verdicts it could overturn stay at or below {@link #LOG_CAP}.
     */
    static Diagnosis limitLog(Diagnosis d, LogReading log) {
        List<String> missing = new ArrayList<>(d.missing());
        log.absent().forEach(a -> missing.add("a core (this is a log): " + a));
        boolean strongCulprit = d.closer().map(c -> c.reasons().stream().anyMatch(e -> STRONG.contains(e.kind())))
                .orElse(false);
        double conf = d.confidence();
        String why = null;
        if (d.pattern() == Pattern.PREMATURE_CLOSE && conf > LOG_CAP) {
            why = "premature-close is the rule of exclusion, and only a core shows the goroutines holding the channel"
                    + " and those that exited, which could tie a second closing root to it (multi-closer)";
        } else if (conf > LOG_CAP && d.closer().isPresent() && !strongCulprit) {
            why = "the closer is tied to the channel by supporting evidence only; a core's holders and waiters could"
                    + " tie another close more firmly";
        }
        if (why != null) {
            conf = LOG_CAP;
            missing.add(0, "a core, to go above " + LOG_CAP + " from a log: " + why);
        }
        return d.limitedTo(d.pattern(), conf, d.headline(), missing, d.fix());
    }

    /** Evidence that ties a closer to the channel by the channel expression itself (Diagnoser's strong ties). */
    private static final java.util.Set<String> STRONG = java.util.Set.of("same-expression", "same-field", "same-variable",
            "only-closer");

    private static Diagnosis limitImplausible(Diagnosis d, List<String> reasons) {
        if (reasons.isEmpty() || d.confidence() <= IMPLAUSIBLE_CAP) {
            return d;
        }
        List<String> missing = new ArrayList<>(d.missing());
        missing.add("a core without impossible states: this one is damaged (" + reasons.get(0)
                + (reasons.size() > 1 ? "; and " + (reasons.size() - 1) + " more" : "") + "), so the verdict is capped at "
                + IMPLAUSIBLE_CAP);
        return d.limitedTo(d.pattern(), IMPLAUSIBLE_CAP, d.headline(), missing, d.fix());
    }
}
