package dev.chanscope.binary;

import dev.chanscope.arch.CodeDecoder;
import dev.chanscope.arch.Instruction;
import dev.chanscope.goruntime.Pclntab.FuncInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One function decoded from entry to end: its instructions, and whether the decode held
 * together (ran to the end, and every direct branch inside the function lands on an
 * instruction boundary).
 */
final class FunctionCode {
    final FuncInfo fn;
    final List<Instruction> instructions;
    /** The pc where decoding failed, 0 when it reached the end. */
    final long undecodableAt;
    /** Direct branches and jumps inside the function whose target is not an instruction start. */
    final int misalignedTargets;

    private FunctionCode(FuncInfo fn, List<Instruction> instructions, long undecodableAt, int misalignedTargets) {
        this.fn = fn;
        this.instructions = instructions;
        this.undecodableAt = undecodableAt;
        this.misalignedTargets = misalignedTargets;
    }

    static FunctionCode decode(CodeDecoder decoder, FuncInfo fn, byte[] code) {
        List<Instruction> out = new ArrayList<>(code.length / 4 + 1);
        BitSet starts = new BitSet(code.length);
        long bad = 0;
        int off = 0;
        while (code.length - off >= decoder.minimumLength()) {
            Instruction in = decoder.decode(code, off, code.length, fn.entry() + off);
            if (in == null) {
                bad = fn.entry() + off;
                break;
            }
            starts.set(off);
            out.add(in);
            off += in.length();
        }
        int misaligned = 0;
        for (Instruction in : out) {
            boolean direct = in.flow() == Instruction.Flow.JUMP || in.flow() == Instruction.Flow.BRANCH;
            if (direct && fn.contains(in.target()) && !starts.get((int) (in.target() - fn.entry()))) {
                misaligned++;
            }
        }
        return new FunctionCode(fn, out, bad, misaligned);
    }
}
