package dev.chanscope.batch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.Optional;

/**
 * The root cause a core is grouped by: the verdict's pattern with the closing and the sending
 * site. For a crash that is not a channel panic (or has no verdict), the panic message and the
 * user frame it was raised in take their place. Files are cut to their last two path elements,
 * so builds from different checkouts ({@code /home/a/src/svc/pool/pool.go},
 * {@code /build/svc/pool/pool.go}) group together; line numbers stay, since they tell two
 * closes in one file apart.
 *
 * @param pattern the diagnosis pattern, or {@code no-diagnosis} when the verdict is missing
 * @param closer  "function file:line" of the closer, when there is one
 * @param sender  "function file:line" of the victim (the send, or the second close); for a
 *                non-channel crash, the user frame that panicked
 * @param panic   for a non-channel crash only: the panic message, numbers and addresses masked
 */
public record Signature(String pattern, Optional<String> closer, Optional<String> sender, Optional<String> panic)
        implements Comparable<Signature> {
    /** The pattern recorded when the line has no diagnosis (it failed; a warning says why). */
    public static final String NO_DIAGNOSIS = "no-diagnosis";

    private static final Comparator<Optional<String>> OPT = Comparator.comparing(o -> o.orElse(""));
    private static final Comparator<Signature> ORDER = Comparator.comparing(Signature::pattern)
            .thenComparing(Signature::closer, OPT).thenComparing(Signature::sender, OPT).thenComparing(Signature::panic, OPT);

    /** The signature of an analyzed line (the analyze JSON: {@code diagnosis}, {@code panic}). */
    public static Signature of(JsonNode report) {
        JsonNode d = report.path("diagnosis");
        String pattern = d.isObject() ? d.path("pattern").asText(NO_DIAGNOSIS) : NO_DIAGNOSIS;
        boolean channel = d.isObject() && !pattern.equals("not-channel-panic");
        if (channel) {
            Optional<String> sender = site(d.path("sender"));
            if (sender.isEmpty()) {
                sender = site(report.path("panic").path("userFrame"));
            }
            return new Signature(pattern, site(d.path("closer")), sender, Optional.empty());
        }
        JsonNode p = report.path("panic");
        Optional<String> message = p.isObject() ? Optional.of(maskNumbers(p.path("message").asText(""))) : Optional.empty();
        return new Signature(pattern, Optional.empty(), site(p.path("userFrame")), message);
    }

    /** True for a channel-panic verdict (closer and sender), false for a panic message and frame. */
    public boolean isChannel() {
        return panic.isEmpty();
    }

    /** "main.(*Pool).Close pool/pool.go:88" from a JSON frame or site. */
    static Optional<String> site(JsonNode n) {
        if (!n.isObject() || !n.hasNonNull("function")) {
            return Optional.empty();
        }
        String file = shortFile(n.path("file").asText(""));
        int line = n.path("line").asInt(0);
        return Optional.of(n.get("function").asText() + (file.isEmpty() ? "" : " " + file + (line > 0 ? ":" + line : "")));
    }

    /** The last two elements of a slash-separated path: "svc/pool/pool.go" gives "pool/pool.go". */
    public static String shortFile(String file) {
        int last = file.lastIndexOf('/');
        if (last < 0) {
            return file;
        }
        int before = file.lastIndexOf('/', last - 1);
        return file.substring(before + 1);
    }

    /**
     * Masks what differs between crashes of one bug: addresses, and the values in messages like
     * "index out of range [5] with length 3".
     */
    static String maskNumbers(String message) {
        return message.replaceAll("0x[0-9a-fA-F]+", "0x?").replaceAll("(?<![\\w.])\\d+(?![\\w.])", "N");
    }

    @Override
    public int compareTo(Signature o) {
        return ORDER.compare(this, o);
    }
}
