package dev.chanscope.diagnose;

import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the snapshot was read completely enough to judge at all. A verdict on an incomplete
 * reading is never stated with confidence: "not a channel panic" becomes undetermined, and any
 * other verdict stays below {@link #CAP}. The reasons go into the diagnosis's missing evidence.
 */
final class Completeness {
    /** The highest confidence a verdict on an incomplete reading may have (below the 0.8 of a confident one). */
    static final double CAP = 0.6;

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
            return new Diagnosis(Pattern.UNDETERMINED, 0.0, headline, d.evidence(), d.runnersUp(), d.closer(),
                    d.closers(), d.sender(), List.copyOf(missing), Fixes.none("an incomplete reading"), d.unresolved());
        }
        double conf = Math.min(d.confidence(), CAP);
        String headline = conf < d.confidence() ? d.headline() + " (incomplete reading: " + why + ")" : d.headline();
        return new Diagnosis(d.pattern(), conf, headline, d.evidence(), d.runnersUp(), d.closer(), d.closers(),
                d.sender(), List.copyOf(missing), d.fix(), d.unresolved());
    }
}
