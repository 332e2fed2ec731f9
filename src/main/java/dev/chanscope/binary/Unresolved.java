package dev.chanscope.binary;

/**
 * Something the scan could not follow, with where it is.
 *
 * @param kind     what could not be resolved
 * @param function the physical function it is in
 * @param pc       the instruction (0 when the note is about the whole function)
 * @param at       its source position (innermost logical frame)
 * @param detail   one line for a human
 */
public record Unresolved(Kind kind, String function, long pc, SourcePos at, String detail) {

    public enum Kind {
        /** a call through a register or memory in user code: interface method, func value, method value */
        INDIRECT_CALL,
        /** a {@code go} statement whose funcval could not be traced to a function */
        GO_TARGET,
        /** a go wrapper whose callee (the function written after {@code go}) could not be told */
        GO_WRAPPER_CALLEE,
        /** a function whose code the decoder could not walk to its end */
        UNDECODABLE
    }

    /** The note as {@link BinaryFacts#unresolved()} lists it. */
    public String describe() {
        String where = pc != 0 ? String.format(" at %s (pc 0x%x)", at.location(), pc) : "";
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ": " + function + where + ": " + detail;
    }
}
