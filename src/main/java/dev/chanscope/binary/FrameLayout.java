package dev.chanscope.binary;

import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.goruntime.Pclntab.FuncInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What the pclntab says about one function's frame, for the operand dataflow: the frame size
 * at each pc, and which slots a callee cannot write.
 *
 * <p>Frame offsets are from SP + frame size (the return address slot): varp, the top of the
 * locals, is at -8 under the saved frame pointer, argp at +8 (runtime/traceback.go, amd64).
 * A callee writes only its own argument area at the bottom of this frame and the variables
 * whose address was taken; the compiler lists the latter, when they hold pointers, in
 * FUNCDATA_StackObjects (cmd/compile/internal/liveness/plive.go emitStackObjects:
 * {@code runtime.stackObjectRecord{off, size int32; ...}}, 16 bytes, off from varp when
 * negative, from argp otherwise; 1.22 and 1.26). Register spills of pointers (a receiver, a
 * channel) sit in the pointer-holding part of the locals, [varp - 8 * nbit, varp), whose size
 * FUNCDATA_LocalsPointerMaps gives ({@code runtime.stackmap{n, nbit int32}}): the compiler
 * allocates pointer-holding autos first, below varp (ssagen/pgen.go AllocFrame), above the
 * outgoing argument area. This function's own argument spill slots (+8 and up) are in its
 * caller's frame. Those two regions, minus the stack objects, survive calls.
 */
final class FrameLayout implements ClosureFlow.Frame {
    private static final int MAX_OBJECTS = 256;

    private final Pclntab pclntab;
    private final FuncInfo fn;
    /** Frame offsets [lo, hi) of address-taken objects. */
    private final List<long[]> objects = new ArrayList<>();
    /** Lowest frame offset of the pointer-holding locals. */
    private final long localsLow;

    /**
     * @param read reads {@code n} bytes at a pclntab (relocated) address, empty when it is not
     *             in the executable
     */
    FrameLayout(Pclntab pclntab, FuncInfo fn, BiFunction<Long, Integer, Optional<byte[]>> read) {
        this.pclntab = pclntab;
        this.fn = fn;
        long locals = pclntab.funcdata(fn, Pclntab.FUNCDATA_LocalsPointerMaps);
        long nbit = locals == 0 ? 0 : read.apply(locals, 8).map(b -> (long) le(b).getInt(4)).orElse(0L);
        this.localsLow = -8 - 8 * Math.max(0, nbit);
        long so = pclntab.funcdata(fn, Pclntab.FUNCDATA_StackObjects);
        if (so != 0) {
            long n = read.apply(so, 8).map(b -> le(b).getLong(0)).orElse(-1L);
            if (n < 0 || n > MAX_OBJECTS) {
                objects.add(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}); // unreadable: nothing is safe
            } else if (n > 0) {
                Optional<byte[]> recs = read.apply(so + 8, (int) n * 16);
                if (recs.isEmpty()) {
                    objects.add(new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
                } else {
                    ByteBuffer r = le(recs.get());
                    for (int i = 0; i < n; i++) {
                        long off = r.getInt(16 * i);
                        long size = r.getInt(16 * i + 4) & 0xffffffffL;
                        long at = off < 0 ? -8 + off : 8 + off;
                        objects.add(new long[] {at, at + size});
                    }
                }
            }
        }
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long size(long pc) {
        return pclntab.spDelta(fn, pc);
    }

    @Override
    public boolean keptAcrossCalls(long frameOffset) {
        for (long[] o : objects) {
            if (frameOffset < o[1] && frameOffset + 8 > o[0]) {
                return false;
            }
        }
        return frameOffset >= 8 || (frameOffset >= localsLow && frameOffset + 8 <= -8);
    }
}
