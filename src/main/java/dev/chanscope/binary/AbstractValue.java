package dev.chanscope.binary;

/**
 * What {@link ClosureFlow} knows about a register or a stack slot: the little needed to tell
 * which function a funcval points to and, in operand mode, where a channel came from.
 */
sealed interface AbstractValue {

    /** Anything else. */
    Unknown UNKNOWN = new Unknown();

    record Unknown() implements AbstractValue {}

    /** A link-time address materialised by the instruction at {@code pc} (a funcval in rodata, a function entry). */
    record Address(long address, long pc) implements AbstractValue {}

    /** A constant (an immediate moved into a register). */
    record Constant(long value) implements AbstractValue {}

    /** The stack pointer plus {@code offset} (an address of a slot in this frame). */
    record StackAddress(long offset) implements AbstractValue {}

    /** The object returned by the allocation call at {@code allocPc} (runtime.newobject). */
    record NewObject(long allocPc) implements AbstractValue {}

    /** The closure context register's value at the function's entry: this closure's own funcval. */
    record Context() implements AbstractValue {}

    /** Operand mode: integer argument register {@code index} at the function's entry. */
    record Param(int index) implements AbstractValue {}

    /** Operand mode: the first result register after the direct call at {@code pc}. */
    record CallResult(long pc) implements AbstractValue {}

    /**
     * Operand mode: what a load from the frame slot at {@code frameOffset} (from SP + frame
     * size) gives when the analysis does not know what was stored there: the local variable itself.
     */
    record SlotLoad(long frameOffset) implements AbstractValue {}

    /**
     * The word at {@code base + disp}: where base is the context or a field of it; in operand
     * mode also a parameter, a call result, a slot load or a static address (a package variable).
     */
    record Field(AbstractValue base, long disp) implements AbstractValue {
        int depth() {
            return base instanceof Field f ? f.depth() + 1 : 1;
        }
    }
}
