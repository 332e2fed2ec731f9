package dev.chanscope.arch;

/**
 * The Go internal ABI (ABIInternal) register roles the scanner relies on, in the decoder's
 * register numbering (amd64: 0 AX, 1 CX, 2 DX, 3 BX, 4 SP, 5 BP, 6 SI, 7 DI, 8-15 R8-R15).
 *
 * @param registers      number of general registers
 * @param stackPointer   SP
 * @param closureContext the register that holds the closure pointer at a function's entry (amd64 DX)
 * @param firstArgument  the first integer argument and result register (amd64 AX): newproc's funcval
 *                       and newobject's result
 * @param integerArguments the integer argument registers in order
 * @param preserved      bit mask of registers a call leaves intact (amd64: SP, BP, R14 = g);
 *                       every other register is dead after a call in ABIInternal
 * @param names          register names for messages
 * @param writeBarrierClobbers bit mask of the registers a call of runtime.gcWriteBarrierN
 *                       changes (it follows no Go ABI and keeps the others): amd64 R11 (the buffer
 *                       it returns); arm64 R25 (the buffer) and R27 (its scratch register)
 * @param duffDestinations the registers holding the destination that runtime.duffzero and
 *                       runtime.duffcopy write upward from (assembly ABI): amd64 DI, DI; arm64
 *                       R20, R21 (runtime/duff_arm64.s, up to Go 1.25)
 */
public record CallingConvention(int registers, int stackPointer, int closureContext, int firstArgument,
                                int[] integerArguments, long preserved, String[] names,
                                long writeBarrierClobbers, int[] duffDestinations) {

    public CallingConvention {
        integerArguments = integerArguments.clone();
        names = names.clone();
        duffDestinations = duffDestinations.clone();
    }

    /** The register of integer argument {@code i} (0-based). */
    public int argument(int i) {
        return integerArguments[i];
    }

    public String name(int reg) {
        return reg >= 0 && reg < names.length ? names[reg] : "r" + reg;
    }
}
