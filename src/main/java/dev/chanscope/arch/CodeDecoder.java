package dev.chanscope.arch;

/**
 * Decodes one machine instruction at a time into the little the scanner needs: its length,
 * how control leaves it (fall through, call, jump, return) and its effect on registers and
 * memory as {@link Effect}s. Everything after decoding (call sites, go targets, the call graph)
 * is architecture-neutral, so a second architecture is a second implementation of this
 * interface (arm64: fixed 4-byte instructions, ADRP+ADD for addresses, BL for calls).
 */
public interface CodeDecoder {

    /**
     * Decodes the instruction at {@code code[offset]}, which is at address {@code pc}. Bytes at
     * or after {@code limit} belong to the next function and must not be consumed.
     *
     * @return the instruction, or null when the bytes are not a valid instruction or it would
     *     run past {@code limit}
     */
    Instruction decode(byte[] code, int offset, int limit, long pc);

    /**
     * The size of the shortest instruction (amd64 1, arm64 4). Fewer bytes than this at the end of
     * a function are not code: the pclntab's end sentinel makes the last marker function
     * ({@code go:textfipsend}) one byte long.
     */
    default int minimumLength() {
        return 1;
    }

    /** Register roles of the Go internal ABI on this architecture. */
    CallingConvention convention();
}
