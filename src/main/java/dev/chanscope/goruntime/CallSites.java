package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct calls inside one function whose target is the callee's entry: amd64 {@code CALL rel32}
 * (opcode E8) at any byte, arm64 {@code BL imm26} (top six bits 100101) at every 4-byte
 * instruction. Matching the exact displacement to a known entry makes false positives from
 * bytes that merely look like a call practically impossible. (A full decode is binary/'s job;
 * this is the runtime reader's one question about code, asked of a runtime function.)
 */
final class CallSites {
    /** ELF e_machine of arm64. */
    private static final int EM_AARCH64 = 183;

    private CallSites() {
    }

    /** Addresses of the call instructions in {@code fn} that call {@code target}, for ELF {@code machine}. */
    static List<Long> callsTo(Memory mem, Pclntab.FuncInfo fn, long target, int machine) {
        int len = (int) Math.min(fn.end() - fn.entry(), 1 << 20);
        byte[] code = mem.read(fn.entry(), len);
        return machine == EM_AARCH64 ? branchLinks(code, fn.entry(), target) : callRel32(code, fn.entry(), target);
    }

    private static List<Long> callRel32(byte[] code, long entry, long target) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i + 5 <= code.length; i++) {
            if ((code[i] & 0xff) != 0xE8) {
                continue;
            }
            int rel = (code[i + 1] & 0xff) | (code[i + 2] & 0xff) << 8 | (code[i + 3] & 0xff) << 16 | code[i + 4] << 24;
            long dest = entry + i + 5 + rel;
            if (dest == target) {
                out.add(entry + i);
            }
        }
        return out;
    }

    private static List<Long> branchLinks(byte[] code, long entry, long target) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i + 4 <= code.length; i += 4) {
            int insn = (code[i] & 0xff) | (code[i + 1] & 0xff) << 8 | (code[i + 2] & 0xff) << 16 | code[i + 3] << 24;
            if ((insn & 0xFC000000) != 0x94000000) {
                continue;
            }
            long dest = entry + i + 4L * ((insn << 6) >> 6); // imm26, sign-extended, in words
            if (dest == target) {
                out.add(entry + i);
            }
        }
        return out;
    }
}
