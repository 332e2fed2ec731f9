package dev.chanscope.log;

import dev.chanscope.diagnose.Diagnosis;
import java.util.List;
import java.util.Optional;

/**
 * What {@code chanscope log} found in one input: the crash chosen (the last by default), the
 * model built from it, the binary's verdict on it and the diagnosis when the binary allowed one.
 *
 * @param log        how the report names the log
 * @param binary     how the report names the binary, empty without one
 * @param crashIndex 1 for the last crash of the log, 2 for the one before...
 * @param crashes    how many crashes the log holds
 * @param candidates without the binary: closing statements the source allows, never a verdict
 */
public record LogAnalysis(String log, Optional<String> binary, int crashIndex, int crashes, Traceback traceback,
                          LogSnapshot.Result model, Optional<Diagnosis> diagnosis, List<SourceCandidates.Candidate> candidates) {}
