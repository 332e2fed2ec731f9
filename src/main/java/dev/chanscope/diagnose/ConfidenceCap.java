package dev.chanscope.diagnose;

import dev.chanscope.goruntime.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * A verdict read from a core that holds impossible states ({@link Snapshot#implausible()}: a
 * damaged core) is never stated at 0.8 or more: whatever the rules concluded rests on data the
 * runtime could not have written.
 */
public final class ConfidenceCap {
    /** The highest confidence of a verdict from an implausible core. */
    public static final double IMPLAUSIBLE_CAP = 0.79;

    private ConfidenceCap() {
    }

    public static Diagnosis apply(Snapshot snapshot, Diagnosis d) {
        List<String> reasons = snapshot.implausible();
        if (reasons.isEmpty() || d.confidence() <= IMPLAUSIBLE_CAP) {
            return d;
        }
        List<String> missing = new ArrayList<>(d.missing());
        missing.add("a core without impossible states: this one is damaged (" + reasons.get(0)
                + (reasons.size() > 1 ? "; and " + (reasons.size() - 1) + " more" : "") + "), so the verdict is capped at "
                + IMPLAUSIBLE_CAP);
        return new Diagnosis(d.pattern(), IMPLAUSIBLE_CAP, d.headline(), d.evidence(), d.runnersUp(), d.closer(),
                d.closers(), d.sender(), List.copyOf(missing), d.fix(), d.unresolved());
    }
}
