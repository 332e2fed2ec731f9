package dev.chanscope.acquire;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A problem with the input that the user must hear about, already worded (without the input's
 * name, which {@link Acquirer} puts in front). It is an IOException so it can travel up through
 * decoder reads; the stream wrappers pass it on untouched instead of re-wrapping it.
 */
final class InputFault extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as deciding what to do next goes. */
    enum Kind {
        /** The data simply stops: a cut download, a file still being written when bundled. */
        TRUNCATED,
        /** The data is wrong: checksums fail, structures make no sense. */
        CORRUPT,
        /** Anything else: limits, the cache, the input file itself. Always fatal. */
        OTHER
    }

    private final Kind kind;
    private final String scope;

    InputFault(String message) {
        this(message, Kind.OTHER, "");
    }

    /**
     * @param scope the member path of the data that is damaged ("" for the input itself), so a
     *              damaged member that does not matter can be skipped while the bundle is fine
     */
    InputFault(String message, Kind kind, String scope) {
        super(message);
        this.kind = kind;
        this.scope = scope;
    }

    Kind kind() {
        return kind;
    }

    /** Whether the damage lies within the member at {@code memberPath} (or members nested in it). */
    boolean within(String memberPath) {
        return kind != Kind.OTHER && !memberPath.isEmpty()
                && (scope.equals(memberPath) || scope.startsWith(memberPath + "/"));
    }

    static InputFault cacheWrite(Path file, IOException cause) {
        return new InputFault("cannot write " + file + " in the cache: " + oneLine(cause)
                + " (set CHANSCOPE_CACHE to a directory with room)");
    }

    static InputFault overCap(String what, long cap) {
        return new InputFault(what + " expands beyond --max-core-size " + cap
                + "; raise it if this core is genuine");
    }

    /**
     * Data that is decoded but not written whole (a tar being scanned, a middle layer) gets twice
     * the core's allowance: a bundle holds a core and a binary.
     */
    static InputFault overStreamCap(String what, long cap) {
        return new InputFault(what + " expands beyond twice --max-core-size " + cap
                + "; raise it if this core is genuine");
    }

    /** Library messages can be null, multi-line or very long; the CLI prints one line. */
    static String oneLine(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String line = message.strip().lines().findFirst().orElse("");
        return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }
}
