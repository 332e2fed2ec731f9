package dev.chanscope.arch;

/**
 * What an instruction does to the general registers and to memory, in the few forms the
 * closure analysis (binary.ClosureFlow) follows: 64-bit address loads, register moves, 64-bit
 * loads and stores at base + displacement. Anything else that writes a register is a
 * {@link Clobber}; anything else that writes memory is a {@link Scribble}. Registers are
 * numbered as in {@link CallingConvention}; a base of -1 means an address the decoder cannot
 * express as register + displacement (an index register, an absolute address).
 */
public sealed interface Effect {

    /** {@code reg = address}: a PC-relative LEA (amd64 {@code LEAQ sym(SB), reg}). */
    record SetAddress(int reg, long address) implements Effect {}

    /** {@code reg = value}: a move of an immediate (amd64 {@code MOVL $1, DI}, {@code XORL CX, CX}). */
    record SetConstant(int reg, long value) implements Effect {}

    /** {@code dst = base + disp} (64-bit LEA of a register-relative address; arm64 ADD immediate). */
    record AddOffset(int dst, int base, long disp) implements Effect {}

    /** {@code dst = src} (64-bit). */
    record Move(int dst, int src) implements Effect {}

    /** {@code dst = src & 0xffffffff}: a 32-bit register move, which zero-extends on amd64. */
    record Move32(int dst, int src) implements Effect {}

    /** {@code dst = *(uint64*)(base + disp)}. */
    record Load(int dst, int base, long disp) implements Effect {}

    /** {@code dst = *(uint64*)address}: a load from a static address (amd64 {@code MOVQ sym(SB), reg}). */
    record LoadGlobal(int dst, long address) implements Effect {}

    /** {@code *(uint64*)(base + disp) = src}; src -1 for a value that is not a register (an immediate). */
    record Store(int src, int base, long disp) implements Effect {}

    /** {@code reg} gets a value the analysis does not follow. */
    record Clobber(int reg) implements Effect {}

    /** Memory at [base + disp, base + disp + size) gets unknown bytes; size -1 when unbounded. */
    record Scribble(int base, long disp, int size) implements Effect {}

    /** The target of an indirect call or jump: the register's value ({@code base} -1), or the word at base + disp. */
    record CallThrough(int reg, int base, long disp) implements Effect {
        public boolean viaMemory() {
            return reg < 0;
        }
    }
}
