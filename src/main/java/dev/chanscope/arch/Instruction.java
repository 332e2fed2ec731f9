package dev.chanscope.arch;

import java.util.List;

/**
 * One decoded machine instruction.
 *
 * @param pc      its address
 * @param length  its size in bytes
 * @param flow    how control leaves it
 * @param target  the destination of a direct call, jump or branch ({@link Flow#CALL},
 *                {@link Flow#JUMP}, {@link Flow#BRANCH}); 0 otherwise
 * @param effects what it does to registers and memory, as far as the scanner tracks it
 */
public record Instruction(long pc, int length, Flow flow, long target, List<Effect> effects) {

    /** How control leaves an instruction. */
    public enum Flow {
        /** to the next instruction */
        NEXT,
        /** a direct call ({@code CALL rel32}); returns to the next instruction */
        CALL,
        /** a call through a register or memory; see {@link Effect.CallThrough} */
        CALL_INDIRECT,
        /** an unconditional direct jump */
        JUMP,
        /** a conditional direct branch: to {@code target} or the next instruction */
        BRANCH,
        /** a jump through a register or memory (jump tables, tail calls) */
        JUMP_INDIRECT,
        /** a return */
        RETURN,
        /** control does not continue (INT3 padding, UD2, HLT) */
        STOP
    }

    public long end() {
        return pc + length;
    }

    /** True when the next instruction is not reached from this one. */
    public boolean endsBlock() {
        return flow == Flow.JUMP || flow == Flow.BRANCH || flow == Flow.JUMP_INDIRECT
                || flow == Flow.RETURN || flow == Flow.STOP;
    }
}
