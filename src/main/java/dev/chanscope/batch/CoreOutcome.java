package dev.chanscope.batch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the summary needs of one JSON line, kept in memory while the full report (goroutines,
 * evidence) is written out and dropped. Made from the line itself, so a batch, a resumed batch
 * and {@code chanscope merge} summarise the same way.
 *
 * @param sha256     the input file's content hash; empty when the file could not be read
 * @param core       the input path as the line records it
 * @param signature  present for {@link Status#analyzed()} lines
 * @param confidence the diagnosis confidence, when there is a diagnosis
 * @param error      the one-line reason for error and timeout lines
 */
public record CoreOutcome(Optional<String> sha256, String core, Status status, Optional<Signature> signature,
                          OptionalDouble confidence, Optional<String> error, long elapsedMs) {

    /**
     * @throws IllegalArgumentException when the object is not a batch line (no known status or no input.core)
     */
    public static CoreOutcome of(JsonNode line) {
        Status status = Status.of(line.path("status").asText(""))
                .orElseThrow(() -> new IllegalArgumentException("no batch status (ok, partial, error, timeout, skipped)"));
        JsonNode in = line.path("input");
        if (!in.path("core").isTextual()) {
            throw new IllegalArgumentException("no input.core");
        }
        Optional<String> sha = in.path("sha256").isTextual() ? Optional.of(in.get("sha256").asText()) : Optional.empty();
        Optional<Signature> sig = status.analyzed() ? Optional.of(Signature.of(line)) : Optional.empty();
        JsonNode conf = line.path("diagnosis").path("confidence");
        OptionalDouble c = status.analyzed() && conf.isNumber() ? OptionalDouble.of(conf.asDouble()) : OptionalDouble.empty();
        Optional<String> error = line.path("error").isTextual() ? Optional.of(line.get("error").asText()) : Optional.empty();
        return new CoreOutcome(sha, in.get("core").asText(), status, sig, c, error, line.path("elapsedMs").asLong(0));
    }
}
