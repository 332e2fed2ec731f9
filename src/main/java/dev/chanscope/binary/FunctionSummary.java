package dev.chanscope.binary;

import dev.chanscope.arch.CallingConvention;
import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.goruntime.Pclntab.FuncInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the first pass keeps of one decoded function: its direct calls and tail jumps, its
 * indirect calls and the addresses it materialises. The instructions themselves are decoded again for the
 * few functions the closure analysis needs.
 */
final class FunctionSummary {

    /** A direct CALL, or a JMP to an address outside the function. */
    record Transfer(long pc, long target, boolean tail) {}

    /**
     * A call through a register or memory, with what the straight-line code before it shows:
     * {@code loadOffset}, the offset of the load that produced the target (-1 unknown: 0 is a
     * funcval's code word, 24 and up an itab method); {@code closureSlot}, the SP offset the
     * funcval was loaded from when the target is word 0 of a funcval held in a stack slot (-1 otherwise).
     */
    record IndirectCall(long pc, long loadOffset, long closureSlot) {}

    /** A PC-relative address materialised into a register (amd64 LEAQ sym(SB), reg). */
    record AddressLoad(long pc, long address) {}

    // Straight-line register values (a move from SP, like anything unknown, leaves none).
    private sealed interface Linear {}

    private record FromSlot(long offset) implements Linear {}

    private record CodeOfSlot(long offset) implements Linear {}

    private record Loaded(long offset) implements Linear {}

    final FuncInfo fn;
    final List<Transfer> transfers = new ArrayList<>();
    final List<IndirectCall> indirectCalls = new ArrayList<>();
    final List<AddressLoad> addresses = new ArrayList<>();
    final int instructions;
    final long undecodableAt;
    final int misalignedTargets;

    FunctionSummary(FunctionCode code, CallingConvention cc) {
        this.fn = code.fn;
        this.instructions = code.instructions.size();
        this.undecodableAt = code.undecodableAt;
        this.misalignedTargets = code.misalignedTargets;
        new StraightLine<Linear>(cc) {
            @Override
            void enter(Instruction in) {
                switch (in.flow()) {
                    case CALL -> transfers.add(new Transfer(in.pc(), in.target(), false));
                    case JUMP -> {
                        if (!fn.contains(in.target())) {
                            transfers.add(new Transfer(in.pc(), in.target(), true));
                        }
                    }
                    default -> { }
                }
            }

            @Override
            boolean interpret(Instruction in, Effect e) {
                if (e instanceof Effect.CallThrough t && in.flow() == Instruction.Flow.CALL_INDIRECT) {
                    indirectCalls.add(indirect(in.pc(), t, regs));
                } else if (e instanceof Effect.SetAddress a) {
                    addresses.add(new AddressLoad(in.pc(), a.address()));
                    regs.remove(a.reg());
                } else if (e instanceof Effect.Load l) {
                    Linear b = regs.get(l.base());
                    regs.put(l.dst(), l.base() == sp ? new FromSlot(l.disp())
                            : b instanceof FromSlot f && l.disp() == 0 ? new CodeOfSlot(f.offset()) : new Loaded(l.disp()));
                } else {
                    return false;
                }
                return true;
            }
        }.run(code.instructions);
    }

    private static IndirectCall indirect(long pc, Effect.CallThrough t, Map<Integer, Linear> regs) {
        if (t.viaMemory()) {
            Linear b = t.base() < 0 ? null : regs.get(t.base());
            long slot = b instanceof FromSlot f && t.disp() == 0 ? f.offset() : -1;
            return new IndirectCall(pc, t.disp(), slot);
        }
        Linear v = regs.get(t.reg());
        if (v instanceof CodeOfSlot c) {
            return new IndirectCall(pc, 0, c.offset());
        }
        return new IndirectCall(pc, v instanceof Loaded l ? l.offset() : -1, -1);
    }
}
