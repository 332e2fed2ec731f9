package dev.chanscope.binary;

import dev.chanscope.arch.CallingConvention;
import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Every 64-bit register store a function makes into its own frame, merged over the whole
 * function (flow-insensitive): for each frame slot, the one value all stores agree on. Slots are
 * keyed by their offset from the frame's top (SP + frame size at the instruction, from the
 * pclntab's pcsp table), so stores made before the prologue (the morestack path spills
 * arguments at the entry SP) and after it do not mix. Used for open-coded defer slots, which
 * are dedicated compiler temporaries written only by such stores.
 */
final class FrameStores {

    /** A value stored into a frame slot, as far as straight-line code shows it. */
    sealed interface SlotValue {}

    /** A PC-relative address. */
    record SlotAddress(long address) implements SlotValue {}

    /** The address of another slot of this frame (by frame offset). */
    record SlotPointer(long frameOffset) implements SlotValue {}

    /** Several different values, or one the scan cannot name. */
    record SlotUnknown() implements SlotValue {}

    private static final SlotUnknown UNKNOWN = new SlotUnknown();

    private final Map<Long, SlotValue> stores = new HashMap<>();

    /**
     * @param code    the function's instructions
     * @param spDelta frame size at a pc (bytes between SP and the return address slot)
     */
    FrameStores(List<Instruction> code, CallingConvention cc, LongUnaryOperator spDelta) {
        new StraightLine<SlotValue>(cc) {
            private long top;

            @Override
            void enter(Instruction in) {
                top = spDelta.applyAsLong(in.pc());
            }

            @Override
            boolean interpret(Instruction in, Effect e) {
                if (e instanceof Effect.SetAddress a) {
                    regs.put(a.reg(), new SlotAddress(a.address()));
                } else if (e instanceof Effect.AddOffset a) {
                    regs.remove(a.dst());
                    if (a.base() == sp) {
                        regs.put(a.dst(), new SlotPointer(a.disp() - top));
                    }
                } else if (e instanceof Effect.Store st && st.base() == sp) {
                    SlotValue v = st.src() < 0 ? null : regs.get(st.src());
                    stores.merge(st.disp() - top, v == null ? UNKNOWN : v, (x, y) -> x.equals(y) ? x : UNKNOWN);
                } else {
                    return false;
                }
                return true;
            }
        }.run(code);
    }

    /** The value every store into the slot at {@code frameOffset} agrees on, or null when there is none. */
    SlotValue at(long frameOffset) {
        SlotValue v = stores.get(frameOffset);
        return v instanceof SlotUnknown ? null : v;
    }
}
