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
