package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct calls inside one function, found as amd64 {@code CALL rel32} (opcode E8) whose target
 * is the callee's entry. Matching the exact 32-bit displacement to a known entry makes false
 * positives from bytes that merely contain E8 practically impossible.
 */
final class CallSites {
    private CallSites() {
    }

    /** Addresses of the CALL instructions in {@code fn} that call {@code target}. */
    static List<Long> callsTo(Memory mem, Pclntab.FuncInfo fn, long target) {
        int len = (int) Math.min(fn.end() - fn.entry(), 1 << 20);
        byte[] code = mem.read(fn.entry(), len);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i + 5 <= len; i++) {
            if ((code[i] & 0xff) != 0xE8) {
                continue;
            }
            int rel = (code[i + 1] & 0xff) | (code[i + 2] & 0xff) << 8 | (code[i + 3] & 0xff) << 16 | code[i + 4] << 24;
            long dest = fn.entry() + i + 5 + rel;
            if (dest == target) {
                out.add(fn.entry() + i);
            }
        }
        return out;
    }
}
