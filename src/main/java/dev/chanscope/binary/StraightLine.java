package dev.chanscope.binary;

import dev.chanscope.arch.CallingConvention;
import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stepping loop shared by the straight-line interpreters ({@link FrameStores},
 * {@link FunctionSummary}): every instruction's effects in order, a value of type {@code V} per
 * register, all forgotten where a basic block ends and after a call (ABIInternal keeps no
 * general register we follow across one). An effect the interpreter does not take
 * ({@link #interpret} false) gets the common meaning: a move copies the source's value (none
 * for SP), any other register write forgets the register, a store or an indirect call's target
 * changes no register.
 */
abstract class StraightLine<V> {
    /** What is known of each register; absent means nothing. */
    final Map<Integer, V> regs = new HashMap<>();
    final int sp;

    StraightLine(CallingConvention cc) {
        this.sp = cc.stackPointer();
    }

    /** Called before the effects of {@code in}. */
    void enter(Instruction in) {
    }

    /** Applies {@code e} of {@code in}; false leaves it to the common meaning. */
    abstract boolean interpret(Instruction in, Effect e);

    final void run(List<Instruction> code) {
        for (Instruction in : code) {
            enter(in);
            for (Effect e : in.effects()) {
                if (!interpret(in, e)) {
                    common(e);
                }
            }
            if (in.endsBlock() || in.flow() == Instruction.Flow.CALL || in.flow() == Instruction.Flow.CALL_INDIRECT) {
                regs.clear();
            }
        }
    }

    private void common(Effect e) {
        if (e instanceof Effect.Move m) {
            V v = m.src() == sp ? null : regs.get(m.src());
            if (v == null) {
                regs.remove(m.dst());
            } else {
                regs.put(m.dst(), v);
            }
        } else if (e instanceof Effect.Move32 m) {
            regs.remove(m.dst());
        } else if (e instanceof Effect.SetAddress a) {
            regs.remove(a.reg());
        } else if (e instanceof Effect.SetConstant c) {
            regs.remove(c.reg());
        } else if (e instanceof Effect.AddOffset a) {
            regs.remove(a.dst());
        } else if (e instanceof Effect.Load l) {
            regs.remove(l.dst());
        } else if (e instanceof Effect.LoadGlobal l) {
            regs.remove(l.dst());
        } else if (e instanceof Effect.Clobber c) {
            regs.remove(c.reg());
        }
    }
}
