package dev.chanscope.arch.amd64;

import dev.chanscope.arch.CallingConvention;
import dev.chanscope.arch.CodeDecoder;
import dev.chanscope.arch.Instruction;

/**
 * A length decoder for x86-64 machine code as the Go toolchain emits it (compiled Go and the
 * runtime's assembly: SSE, AVX/AVX2 through VEX, AVX-512 through EVEX, AES-NI, SHA, BMI):
 * legacy prefixes, REX, VEX2/VEX3/EVEX/XOP, the one-byte map and maps 0F, 0F38, 0F3A,
 * ModRM/SIB, displacements and immediates. Validated against gdb's disassembly of whole
 * runtime and user functions (Amd64DecoderGdbTest).
 *
 * <p>Instructions invalid in 64-bit mode are reported as undecodable (null), so a function
 * whose decoding desynchronises shows up in the scanner's statistics.
 */
public final class Amd64Decoder implements CodeDecoder {

    private static final int MAX_LENGTH = 15;

    /**
     * amd64 ABIInternal (cmd/compile/abi-internal.md): integer arguments in RAX, RBX, RCX, RDI,
     * RSI, R8-R11; fixed registers RSP, RBP, R14 (g); all others caller-saved.
     */
    public static final CallingConvention CONVENTION = new CallingConvention(16, 4, 2, 0,
            new int[] {0, 3, 1, 7, 6, 8, 9, 10, 11},
            (1L << 4) | (1L << 5) | (1L << 14),
            new String[] {"AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI",
                "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"},
            1L << 11, new int[] {7, 7});

    // Operand shape of each one-byte opcode.
    private static final int M = 1;          // ModRM follows
    private static final int I8 = 2;         // imm8
    private static final int IZ = 4;         // imm16 with 66, else imm32
    private static final int I16 = 8;        // imm16
    private static final int IV = 16;        // MOV r, imm: imm64 with REX.W, imm16 with 66, else imm32
    private static final int R8 = 32;        // rel8
    private static final int R32 = 64;       // rel32
    private static final int MOFFS = 128;    // moffs: 8 bytes, 4 with 67
    private static final int GRP3 = 256;     // F6/F7: TEST r/m, imm only for ModRM.reg 0 and 1
    private static final int BAD = 512;      // invalid in 64-bit mode

    private static final int[] ONE_BYTE = oneByteMap();
    private static final int[] TWO_BYTE = twoByteMap();

    @Override
    public CallingConvention convention() {
        return CONVENTION;
    }

    @Override
    public Instruction decode(byte[] code, int offset, int limit, long pc) {
        Amd64Encoding e = parse(code, offset, limit);
        return e == null ? null : Amd64Semantics.instruction(e, pc);
    }

    /** The raw fields of the instruction at {@code code[offset]}, or null when invalid or cut off at {@code limit}. */
    static Amd64Encoding parse(byte[] code, int offset, int limit) {
        return new Parser(code, offset, Math.min(limit, Math.min(code.length, offset + MAX_LENGTH))).run();
    }

    /** One instruction's parse; a fresh object per instruction keeps the decoder stateless and thread-safe. */
    private static final class Parser {
        private final byte[] code;
        private final int start;
        private final int end;
        private int i;
        private boolean ok = true;

        private boolean opsize, adsize, rep, repne, rexW, rex;
        private int rexR, rexX, rexB;
        private Amd64Encoding.Form form = Amd64Encoding.Form.LEGACY;
        private int map;
        private int opcode;
        private int vvvv = -1;
        private boolean hasModrm;
        private int mod, reg, rm, base = -1, index = -1;
        private boolean rip;
        private long disp;
        private long imm;
        private long rel;
        private boolean hasRel;

        Parser(byte[] code, int offset, int end) {
            this.code = code;
            this.start = offset;
            this.end = end;
            this.i = offset;
        }

        private int next() {
            if (i >= end) {
                ok = false;
                return 0;
            }
            return code[i++] & 0xff;
        }

        private long signed(int size) {
            long v = 0;
            for (int k = 0; k < size; k++) {
                v |= (long) next() << (8 * k);
            }
            int bits = 8 * size;
            return bits == 64 ? v : (v << (64 - bits)) >> (64 - bits);
        }

        Amd64Encoding run() {
            prefixes();
            if (!ok) {
                return null;
            }
            int b = next();
            int flags;
            switch (b) {
                case 0x0F -> flags = escape();
                case 0xC4, 0xC5 -> flags = vex(b);
                case 0x62 -> flags = evex();
                case 0x8F -> flags = i < end && (code[i] & 0x1f) >= 8 ? xop() : ONE_BYTE[b];
                default -> {
                    map = 0;
                    opcode = b;
                    flags = ONE_BYTE[b];
                }
            }
            if (map == 0 && form == Amd64Encoding.Form.LEGACY) {
                opcode = b;
            }
            if (!ok || (flags & BAD) != 0) {
                return null;
            }
            if ((flags & M) != 0) {
                modrm();
            }
            immediates(flags);
            if (!ok) {
                return null;
            }
            return new Amd64Encoding(i - start, form, map, opcode, opsize, rep, repne, rexW, rex, rexB == 1, hasModrm, mod,
                    reg, rm, base, index, rip, disp, vvvv, imm, rel, hasRel, adsize);
        }

        private void prefixes() {
            while (ok) {
                if (i >= end) {
                    ok = false;
                    return;
                }
                int b = code[i] & 0xff;
                switch (b) {
                    case 0x66 -> opsize = true;
                    case 0x67 -> adsize = true;
                    case 0xF3 -> { rep = true; repne = false; }
                    case 0xF2 -> { repne = true; rep = false; }
                    case 0xF0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65 -> { }
                    default -> {
                        if ((b & 0xf0) != 0x40) {
                            return;
                        }
                        // REX: only the last one, directly before the opcode, counts.
                        rex = true;
                        rexW = (b & 8) != 0;
                        rexR = (b >> 2) & 1;
                        rexX = (b >> 1) & 1;
                        rexB = b & 1;
                        i++;
                        continue;
                    }
                }
                // A legacy prefix after a REX cancels the REX.
                rex = false;
                rexW = false;
                rexR = rexX = rexB = 0;
                i++;
            }
        }

        private int escape() {
            int b = next();
            if (b == 0x38) {
                map = 2;
                opcode = next();
                return M;
            }
            if (b == 0x3A) {
                map = 3;
                opcode = next();
                return M | I8;
            }
            map = 1;
            opcode = b;
            return TWO_BYTE[b];
        }

        private void impliedPrefix(int pp) {
            opsize = pp == 1;
            rep = pp == 2;
            repne = pp == 3;
        }

        private int vex(int b) {
            form = Amd64Encoding.Form.VEX;
            int p1 = next();
            if (b == 0xC5) {
                rexR = (~p1 >> 7) & 1;
                vvvv = (~p1 >> 3) & 15;
                impliedPrefix(p1 & 3);
                map = 1;
            } else {
                rexR = (~p1 >> 7) & 1;
                rexX = (~p1 >> 6) & 1;
                rexB = (~p1 >> 5) & 1;
                map = p1 & 0x1f;
                int p2 = next();
                rexW = (p2 & 0x80) != 0;
                vvvv = (~p2 >> 3) & 15;
                impliedPrefix(p2 & 3);
            }
            opcode = next();
            return switch (map) {
                // VZEROUPPER / VZEROALL are the only VEX instructions without ModRM.
                case 1 -> opcode == 0x77 ? 0 : M | (vexImm8(opcode) ? I8 : 0);
                case 2 -> M;
                case 3 -> M | I8;
                default -> BAD;
            };
        }

        private int evex() {
            form = Amd64Encoding.Form.EVEX;
            int p0 = next();
            int p1 = next();
            int p2 = next();
            rexR = (~p0 >> 7) & 1;
            rexX = (~p0 >> 6) & 1;
            rexB = (~p0 >> 5) & 1;
            map = p0 & 7;
            rexW = (p1 & 0x80) != 0;
            vvvv = ((~p1 >> 3) & 15) | (((~p2 >> 3) & 1) << 4);
            impliedPrefix(p1 & 3);
            if ((p1 & 4) == 0) {
                return BAD; // the fixed bit of P1 must be 1
            }
            opcode = next();
            return switch (map) {
                case 1 -> M | (vexImm8(opcode) ? I8 : 0);
                case 2, 5, 6 -> M;
                case 3 -> M | I8;
                default -> BAD;
            };
        }

        private int xop() {
            form = Amd64Encoding.Form.XOP;
            int p1 = next();
            rexR = (~p1 >> 7) & 1;
            rexX = (~p1 >> 6) & 1;
            rexB = (~p1 >> 5) & 1;
            map = p1 & 0x1f;
            int p2 = next();
            rexW = (p2 & 0x80) != 0;
            vvvv = (~p2 >> 3) & 15;
            opcode = next();
            return switch (map) {
                case 8 -> M | I8;
                case 9 -> M;
                case 10 -> M | IZ;
                default -> BAD;
            };
        }

        /** 0F-map opcodes that take an imm8 in their VEX/EVEX forms (shuffles, shifts by immediate, compares, insert/extract word). */
        private static boolean vexImm8(int op) {
            return (op >= 0x70 && op <= 0x73) || op == 0xC2 || op == 0xC4 || op == 0xC5 || op == 0xC6;
        }

        private void modrm() {
            hasModrm = true;
            int m = next();
            mod = m >> 6;
            reg = ((m >> 3) & 7) | (rexR << 3);
            int low = m & 7;
            if (mod == 3) {
                rm = low | (rexB << 3);
                return;
            }
            rm = low | (rexB << 3);
            if (low == 4) {
                int sib = next();
                int idx = ((sib >> 3) & 7) | (rexX << 3);
                index = idx == 4 ? -1 : idx; // index 100 without REX.X means none
                int b = sib & 7;
                if (mod == 0 && b == 5) {
                    base = -1;
                    disp = signed(4);
                    return;
                }
                base = b | (rexB << 3);
            } else if (mod == 0 && low == 5) {
                rip = true;
                disp = signed(4);
                return;
            } else {
                base = low | (rexB << 3);
            }
            if (mod == 1) {
                disp = signed(1);
            } else if (mod == 2) {
                disp = signed(4);
            }
        }

        private void immediates(int flags) {
            if ((flags & GRP3) != 0) {
                if ((reg & 7) <= 1) {
                    imm = signed(opcode == 0xF6 ? 1 : zSize());
                }
                return;
            }
            if ((flags & I16) != 0) {
                imm = signed(2);
            }
            if ((flags & I8) != 0) {
                long v = signed(1);
                if ((flags & I16) == 0) {
                    imm = v; // ENTER's imm16 stays the first immediate
                }
            }
            if ((flags & IZ) != 0) {
                imm = signed(zSize());
            }
            if ((flags & IV) != 0) {
                imm = signed(rexW ? 8 : opsize ? 2 : 4);
            }
            if ((flags & MOFFS) != 0) {
                imm = signed(adsize ? 4 : 8);
            }
            if ((flags & R8) != 0) {
                rel = signed(1);
                hasRel = true;
            }
            if ((flags & R32) != 0) {
                // In 64-bit mode near branches ignore 66 (Intel); Go never emits it.
                rel = signed(4);
                hasRel = true;
            }
        }

        private int zSize() {
            return opsize && !rexW ? 2 : 4;
        }
    }

    private static int[] oneByteMap() {
        int[] t = new int[256];
        for (int op = 0; op < 0x40; op++) {
            switch (op & 7) {
                case 0, 1, 2, 3 -> t[op] = M;
                case 4 -> t[op] = I8;
                case 5 -> t[op] = IZ;
                default -> t[op] = BAD; // push/pop segment, DAA/DAS/AAA/AAS; 26/2E/36/3E are prefixes, 0F an escape
            }
        }
        t[0x60] = t[0x61] = t[0x62] = BAD;
        t[0x63] = M;
        t[0x68] = IZ;
        t[0x69] = M | IZ;
        t[0x6A] = I8;
        t[0x6B] = M | I8;
        for (int op = 0x70; op <= 0x7F; op++) {
            t[op] = R8;
        }
        t[0x80] = M | I8;
        t[0x81] = M | IZ;
        t[0x82] = BAD;
        t[0x83] = M | I8;
        for (int op = 0x84; op <= 0x8F; op++) {
            t[op] = M;
        }
        t[0x9A] = BAD;
        for (int op = 0xA0; op <= 0xA3; op++) {
            t[op] = MOFFS;
        }
        t[0xA8] = I8;
        t[0xA9] = IZ;
        for (int op = 0xB0; op <= 0xB7; op++) {
            t[op] = I8;
        }
        for (int op = 0xB8; op <= 0xBF; op++) {
            t[op] = IV;
        }
        t[0xC0] = t[0xC1] = M | I8;
        t[0xC2] = I16;
        t[0xC6] = M | I8;
        t[0xC7] = M | IZ;
        t[0xC8] = I16 | I8;
        t[0xCA] = I16;
        t[0xCD] = I8;
        t[0xCE] = BAD;
        for (int op = 0xD0; op <= 0xD3; op++) {
            t[op] = M;
        }
        t[0xD4] = t[0xD5] = t[0xD6] = BAD;
        for (int op = 0xD8; op <= 0xDF; op++) {
            t[op] = M;
        }
        for (int op = 0xE0; op <= 0xE3; op++) {
            t[op] = R8;
        }
        for (int op = 0xE4; op <= 0xE7; op++) {
            t[op] = I8;
        }
        t[0xE8] = t[0xE9] = R32;
        t[0xEA] = BAD;
        t[0xEB] = R8;
        t[0xF6] = t[0xF7] = M | GRP3;
        t[0xFE] = t[0xFF] = M;
        return t;
    }

    private static int[] twoByteMap() {
        int[] t = new int[256];
        java.util.Arrays.fill(t, M);
        for (int op : new int[] {0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0E, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37,
            0x77, 0xA0, 0xA1, 0xA2, 0xA8, 0xA9, 0xAA}) {
            t[op] = 0;
        }
        for (int op = 0xC8; op <= 0xCF; op++) {
            t[op] = 0; // BSWAP r
        }
        for (int op : new int[] {0x04, 0x0A, 0x0C, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F}) {
            t[op] = BAD;
        }
        t[0x0F] = M | I8; // 3DNow!: the opcode is an imm8 suffix
        for (int op = 0x80; op <= 0x8F; op++) {
            t[op] = R32;
        }
        for (int op : new int[] {0x70, 0x71, 0x72, 0x73, 0xA4, 0xAC, 0xBA, 0xC2, 0xC4, 0xC5, 0xC6}) {
            t[op] = M | I8;
        }
        return t;
    }
}
