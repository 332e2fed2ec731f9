package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stack slots of a frame that hold live pointers at its PC, from the compiler's stack maps:
 * exactly what the garbage collector scans (runtime/stkframe.go getStackMap). A pointer in a
 * dead slot is a leftover the program can no longer use; a pointer in a live slot is one the
 * goroutine still holds.
 *
 * <p>Layout (Go 1.18 to 1.26, amd64): {@code varp = fp - 8} (the return address), minus 8 more
 * for the saved frame pointer when the frame has locals; the locals bitmap covers
 * {@code [varp - nbit*8, varp)}; the arguments bitmap covers {@code [fp, fp + nbit*8)}. Both
 * come from a {@code runtime.stackmap} ({@code n, nbit int32; bytedata}) indexed by
 * PCDATA_StackMapIndex at {@code pc - 1} for a return address.
 */
final class LiveSlots {
    private static final int PTR = 8;
    /** abi.ArgsSizeUnknown: an assembly function without an argument map. */
    private static final int ARGS_SIZE_UNKNOWN = -0x80000000;

    private final Pclntab pcln;
    private final Memory mem;
    /**
     * Live slot offsets from fp by (pc, is-a-return-address): goroutines parked at the same call
     * share them, and thousands of goroutines are parked at a handful of calls.
     */
    private final java.util.Map<Long, Optional<long[]>> byPc = new java.util.HashMap<>();

    LiveSlots(Pclntab pcln, Memory mem) {
        this.pcln = pcln;
        this.mem = mem;
    }

    /**
     * Addresses of the frame's live pointer slots (locals and arguments), or empty when the
     * function has no stack maps (assembly) or they cannot be read: the caller then treats every
     * word of the frame as possibly live.
     *
     * @param returnAddress the frame's pc is a return address (every frame but a trapped innermost one)
     */
    Optional<List<Long>> of(PhysicalFrame f, boolean returnAddress) {
        // The slots are fixed offsets from fp for a given pc (the frame size is the pcsp value at pc).
        Optional<long[]> offsets = byPc.computeIfAbsent(returnAddress ? f.pc() : ~f.pc(), k -> compute(f, returnAddress)
                .map(l -> l.stream().mapToLong(a -> a - f.fp()).toArray()));
        return offsets.map(o -> java.util.Arrays.stream(o).map(d -> f.fp() + d).boxed().toList());
    }

    private Optional<List<Long>> compute(PhysicalFrame f, boolean returnAddress) {
        Pclntab.FuncInfo fn = f.func();
        long target = returnAddress && f.pc() != fn.entry() ? f.pc() - 1 : f.pc();
        try {
            int index = pcln.pcdata(fn, Pclntab.PCDATA_StackMapIndex, target);
            if (index < 0) {
                index = 0; // the prologue, as the runtime assumes
            }
            List<Long> out = new ArrayList<>();
            long varp = f.fp() - PTR;
            if (varp > f.sp()) {
                varp -= PTR; // saved frame pointer
            }
            if (varp > f.sp()) {
                long locals = pcln.funcdata(fn, Pclntab.FUNCDATA_LocalsPointerMaps);
                if (locals == 0) {
                    return Optional.empty();
                }
                Optional<boolean[]> bits = bitmap(locals, index);
                if (bits.isEmpty()) {
                    return Optional.empty();
                }
                long base = varp - (long) bits.get().length * PTR;
                for (int i = 0; i < bits.get().length; i++) {
                    if (bits.get()[i]) {
                        out.add(base + (long) i * PTR);
                    }
                }
            }
            if (fn.args() > 0 && fn.args() != ARGS_SIZE_UNKNOWN) {
                long args = pcln.funcdata(fn, Pclntab.FUNCDATA_ArgsPointerMaps);
                if (args != 0) {
                    Optional<boolean[]> bits = bitmap(args, index);
                    if (bits.isPresent()) {
                        for (int i = 0; i < bits.get().length; i++) {
                            if (bits.get()[i]) {
                                out.add(f.fp() + (long) i * PTR);
                            }
                        }
                    }
                }
            }
            return Optional.of(out);
        } catch (MemoryAccessException | IllegalArgumentException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    /** Bit vector {@code index} of the runtime.stackmap at {@code addr}; empty when out of range. */
    private Optional<boolean[]> bitmap(long addr, int index) {
        long n = mem.u32(addr);
        long nbit = mem.u32(addr + 4);
        if (index >= n || nbit > 1 << 20) {
            return Optional.empty();
        }
        int bytes = (int) ((nbit + 7) / 8);
        byte[] data = bytes == 0 ? new byte[0] : mem.read(addr + 8 + (long) index * bytes, bytes);
        boolean[] bits = new boolean[(int) nbit];
        for (int i = 0; i < nbit; i++) {
            bits[i] = (data[i >> 3] >> (i & 7) & 1) != 0;
        }
        return Optional.of(bits);
    }
}
