package dev.chanscope.diagnose;

import dev.chanscope.binary.SourcePos;
import java.util.List;
import java.util.Optional;

/**
 * The verdict: which race shape produced the panic, how sure, on what evidence, and the fix.
 *
 * @param confidence in [0, 1]; high only when the evidence is decisive
 * @param runnersUp  other patterns the evidence also allows, best first
 * @param closer     the closing site judged to have closed the channel first
 * @param sender     the victim's send (or second close) in user code
 * @param missing    what evidence would have decided it, when undetermined or not certain
 */
public record Diagnosis(Pattern pattern, double confidence, String headline, List<Evidence> evidence,
                        List<RunnerUp> runnersUp, Optional<CloserCandidate> closer, List<CloserCandidate> closers,
                        Optional<SourcePos> sender, List<String> missing, Fix fix, List<String> unresolved,
                        List<ClosingSite> closingSites, Basis basis) {

    /** How the closer was chosen among the closing sites tied to the channel. */
    public enum Basis {
        /** the core shows that this site ran (its goroutine exited or returned past it) */
        SHOWN_RAN("the core shows it ran"),
        /** the only closing site tied to the channel */
        ONLY_SITE("the only closing site of this channel"),
        /** every other site tied to the channel has not run yet */
        ELIMINATION("every other closing site has not run yet"),
        /** several sites may have run; the core cannot tell which */
        UNDECIDED("the core cannot tell which closing site ran"),
        /** no closing site is tied to the channel */
        NONE("no closing site is tied to this channel");

        private final String text;

        Basis(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One closing statement tied to the channel, with what the core says about whether it ran.
     *
     * @param status "ran", "not-yet" or "unknown"
     * @param culprit the closing site the verdict names
     */
    public record ClosingSite(CloserCandidate candidate, String status, String why, boolean culprit) {}

    public record RunnerUp(Pattern pattern, double confidence, String why) {}

    /**
     * This verdict as a reading's limits allow it to be stated: the same evidence and closing
     * sites, with the pattern, confidence, headline, missing evidence and fix given.
     */
    public Diagnosis limitedTo(Pattern p, double conf, String head, List<String> missingEvidence, Fix f) {
        return new Diagnosis(p, conf, head, evidence, runnersUp, closer, closers, sender, List.copyOf(missingEvidence),
                f, unresolved, closingSites, basis);
    }

    /** How to fix it, in the user's names. */
    public record Fix(String summary, List<String> steps) {}
}
