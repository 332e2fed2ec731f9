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
                        Optional<SourcePos> sender, List<String> missing, Fix fix, List<String> unresolved) {

    public record RunnerUp(Pattern pattern, double confidence, String why) {}

    /** How to fix it, in the user's names. */
    public record Fix(String summary, List<String> steps) {}
}
