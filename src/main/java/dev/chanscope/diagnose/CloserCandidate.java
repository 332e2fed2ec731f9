package dev.chanscope.diagnose;

import dev.chanscope.binary.CallSite;
import java.util.List;
import java.util.Set;

/**
 * A closing site that may have closed the panic's channel, with the reasons linking it to that
 * channel and a score (sum of the reasons' weights).
 */
public record CloserCandidate(CallSite site, double score, List<Evidence> reasons, Set<String> roots) {
    public String function() {
        return site.source().function();
    }
}
