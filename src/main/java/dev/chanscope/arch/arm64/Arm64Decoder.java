package dev.chanscope.arch.arm64;

import dev.chanscope.arch.CallingConvention;
import dev.chanscope.arch.CodeDecoder;
import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.arch.Instruction.Flow;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder for the A64 instruction set, as far as the binary scan needs it: every instruction
 * is 4 bytes, so boundaries are trivial; what matters is control flow (B, BL, B.cond, CBZ/CBNZ,
 * TBZ/TBNZ, BR, BLR, RET with their targets) and the effects the closure analysis follows:
 * ADRP+ADD and ADR (addresses), ADD/SUB immediate (SP- and register-relative addresses), MOV
 * (ORR with ZR) and MOVZ/MOVN (constants), 64-bit LDR/STR/LDP/STP with an immediate offset
 * (stack slots, fields), LDR literal. Everything else that writes a general register clobbers
 * it; everything else that writes memory scribbles on it.
 *
 * <p>Registers are numbered R0-R30 as 0-30 and SP as 31; where an encoding's register 31 is the
 * zero register, a read gives the constant 0 and a write is dropped. Encodings are those of the
 * Arm Architecture Reference Manual (A64 "Top-level encodings"), checked against
 * {@code go tool objdump} over whole binaries (Arm64DecoderTest).
 */
public final class Arm64Decoder implements CodeDecoder {
    static final int SP = 31;
    static final int LR = 30;
    /** R26: the closure context register of Go's arm64 ABIInternal. */
    static final int CTXT = 26;
    /** R28: the current goroutine (g) in Go's arm64 ABIInternal. */
    static final int G = 28;
    /** R29: the frame pointer. */
    static final int FP = 29;

    /**
     * Go's arm64 ABIInternal (cmd/compile/abi-internal.md, "arm64 architecture"): integer
     * arguments and results in R0-R15, closure context R26, g in R28, frame pointer R29, LR R30;
     * across a call only SP, g and the frame pointer survive.
     */
    public static final CallingConvention CONVENTION = new CallingConvention(32, SP, CTXT, 0,
            new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
            (1L << SP) | (1L << G) | (1L << FP),
            names(),
            (1L << 25) | (1L << 27), new int[] {20, 21});

    private static String[] names() {
        String[] n = new String[32];
        for (int i = 0; i < 31; i++) {
            n[i] = "R" + i;
        }
        n[SP] = "RSP";
        return n;
    }

    @Override
    public CallingConvention convention() {
        return CONVENTION;
    }

    @Override
    public int minimumLength() {
        return 4;
    }

    @Override
    public Instruction decode(byte[] code, int offset, int limit, long pc) {
        if (offset < 0 || offset + 4 > limit || offset + 4 > code.length) {
            return null;
        }
        int w = word(code, offset);
        Instruction in = decode(w, pc);
        return offset >= 4 ? withPage(in, w, word(code, offset - 4), pc - 4) : in;
    }

    private static int word(byte[] code, int offset) {
        return (code[offset] & 0xff) | (code[offset + 1] & 0xff) << 8 | (code[offset + 2] & 0xff) << 16
                | code[offset + 3] << 24;
    }

    /**
     * An address formed by the pair the linker writes for {@code MOVD $sym(SB), R} and
     * {@code MOVD sym(SB), R} (relocations R_ADDRARM64, R_ARM64_PCREL_LDST64): ADRP of the page,
     * then, in the next instruction, ADD of the low 12 bits or a 64-bit LDR at them, based on the
     * ADRP's register. The second instruction is given the whole address, as amd64's
     * RIP-relative LEA and MOV have it: {@code SetAddress} and {@code LoadGlobal}.
     */
    static Instruction withPage(Instruction in, int w, int prev, long prevPc) {
        if ((prev & 0x9F000000) != 0x90000000 || in.effects().size() != 1) {
            return in;
        }
        int page = prev & 31;
        Effect e = in.effects().get(0);
        long base = ((Effect.SetAddress) decode(prev, prevPc).effects().get(0)).address();
        if (e instanceof Effect.AddOffset a && a.base() == page && a.base() != SP && a.disp() >= 0
                && (w & 0x7F800000) == 0x11000000) {
            return new Instruction(in.pc(), 4, in.flow(), in.target(), List.of(new Effect.SetAddress(a.dst(), base + a.disp())));
        }
        if (e instanceof Effect.Load l && l.base() == page && l.base() != SP && (w & 0xFFC00000) == 0xF9400000) {
            return new Instruction(in.pc(), 4, in.flow(), in.target(), List.of(new Effect.LoadGlobal(l.dst(), base + l.disp())));
        }
        return in;
    }

    /** Decodes one instruction word at {@code pc}. */
    public static Instruction decode(int w, long pc) {
        List<Effect> fx = new ArrayList<>(2);
        Flow flow = Flow.NEXT;
        long target = 0;
        int rd = w & 31;
        int rn = (w >>> 5) & 31;
        if (w == 0 || (w & 0xFFE0001F) == 0xD4200000 || (w & 0xFFE0001F) == 0xD4400000) {
            // UDF #0 (Go's padding between functions), BRK, HLT
            return new Instruction(pc, 4, Flow.STOP, 0, List.of());
        }
        if ((w & 0x7C000000) == 0x14000000) { // B, BL: op 00101 imm26
            target = pc + 4L * signExtend(w, 26);
            flow = (w & 0x80000000) != 0 ? Flow.CALL : Flow.JUMP;
            if (flow == Flow.CALL) {
                fx.add(new Effect.Clobber(LR));
            }
        } else if ((w & 0xFF000010) == 0x54000000) { // B.cond imm19
            target = pc + 4L * signExtend(w >>> 5, 19);
            flow = (w & 15) == 14 ? Flow.JUMP : Flow.BRANCH; // B.AL is unconditional
        } else if ((w & 0x7E000000) == 0x34000000) { // CBZ, CBNZ imm19
            target = pc + 4L * signExtend(w >>> 5, 19);
            flow = Flow.BRANCH;
        } else if ((w & 0x7E000000) == 0x36000000) { // TBZ, TBNZ imm14
            target = pc + 4L * signExtend(w >>> 5, 14);
            flow = Flow.BRANCH;
        } else if ((w & 0xFFFFFC1F) == 0xD61F0000) { // BR Rn
            flow = Flow.JUMP_INDIRECT;
            fx.add(new Effect.CallThrough(rn, -1, 0));
        } else if ((w & 0xFFFFFC1F) == 0xD63F0000) { // BLR Rn
            flow = Flow.CALL_INDIRECT;
            fx.add(new Effect.CallThrough(rn, -1, 0));
            fx.add(new Effect.Clobber(LR));
        } else if ((w & 0xFFFFFC1F) == 0xD65F0000) { // RET Rn
            flow = Flow.RETURN;
        } else if ((w & 0x1F000000) == 0x10000000) { // ADR, ADRP
            long imm = signExtend(((w >>> 5) & 0x7FFFF) << 2 | (w >>> 29) & 3, 21);
            boolean page = (w & 0x80000000) != 0;
            fx.add(new Effect.SetAddress(rd, page ? (pc & ~0xFFFL) + (imm << 12) : pc + imm));
        } else if ((w & 0x1F800000) == 0x11000000) { // ADD/SUB (immediate)
            addSubImmediate(w, fx);
        } else if ((w & 0x1F800000) == 0x12800000) { // MOVN, MOVZ, MOVK
            moveWide(w, fx);
        } else if ((w & 0x1F800000) == 0x12000000) { // AND/ORR/EOR/ANDS (immediate): Rd 31 is SP except ANDS
            int opc = (w >>> 29) & 3;
            long imm = bitmask(w);
            if (opc == 1 && rn == 31 && rd != SP && imm != NO_BITMASK) {
                // ORR Rd, ZR, #imm: the assembler's MOV of a bitmask constant (MOVD $1, R3)
                fx.add(new Effect.SetConstant(rd, imm));
            } else if (rd != SP || opc != 3) {
                fx.add(new Effect.Clobber(rd));
            }
        } else if ((w & 0x1F000000) == 0x0A000000) { // logical (shifted register)
            logicalRegister(w, fx);
        } else if ((w & 0x1FE00000) == 0x0B200000) { // ADD/SUB (extended register): Rd 31 is SP unless S
            boolean setsFlags = (w & 0x20000000) != 0;
            if (rd != SP || !setsFlags) {
                fx.add(new Effect.Clobber(rd));
            }
        } else if ((w & 0x0E000000) == 0x0A000000 || (w & 0x1C000000) == 0x10000000) {
            // other data processing (register; immediate: bitfield, extract): Rd 31 is ZR
            if (rd != 31) {
                fx.add(new Effect.Clobber(rd));
            }
        } else if ((w & 0x0A000000) == 0x08000000) { // loads and stores
            loadStore(w, pc, fx);
        } else if ((w & 0x0E000000) == 0x0E000000) { // SIMD and floating point data processing
            if (writesGeneral(w)) {
                fx.add(new Effect.Clobber(rd));
            }
        } else if ((w & 0xFFF00000) == 0xD5300000) { // MRS Xt, sysreg
            if (rd != 31) {
                fx.add(new Effect.Clobber(rd));
            }
        } else if ((w & 0xFFE0001F) == 0xD4000001) { // SVC: the kernel's result in R0
            fx.add(new Effect.Clobber(0));
        }
        return new Instruction(pc, 4, flow, target, List.copyOf(fx));
    }

    private static void addSubImmediate(int w, List<Effect> fx) {
        boolean is64 = (w & 0x80000000) != 0;
        boolean sub = (w & 0x40000000) != 0;
        boolean setsFlags = (w & 0x20000000) != 0;
        int rd = w & 31;
        int rn = (w >>> 5) & 31;
        long imm = (w >>> 10) & 0xFFF;
        if ((w & 0x00400000) != 0) {
            imm <<= 12;
        }
        if (setsFlags && rd == 31) {
            return; // CMP, CMN: flags only
        }
        if (!is64 || setsFlags) {
            fx.add(new Effect.Clobber(rd));
            return;
        }
        // MOV to or from SP is ADD #0; both Rd and Rn 31 are SP here.
        fx.add(new Effect.AddOffset(rd, rn, sub ? -imm : imm));
    }

    private static final long NO_BITMASK = 0x5555_0000_dead_beefL;

    /**
     * The immediate of a logical (immediate) instruction: the Arm ARM's DecodeBitMasks(N, imms,
     * immr): an element of 2..64 bits holding imms+1 ones rotated right by immr, replicated to
     * the register width; {@link #NO_BITMASK} for a reserved encoding.
     */
    static long bitmask(int w) {
        boolean is64 = (w & 0x80000000) != 0;
        int n = (w >>> 22) & 1;
        int immr = (w >>> 16) & 63;
        int imms = (w >>> 10) & 63;
        int combined = n << 6 | (~imms & 63);
        if (combined == 0 || !is64 && n == 1) {
            return NO_BITMASK;
        }
        int len = 31 - Integer.numberOfLeadingZeros(combined);
        if (len < 1) {
            return NO_BITMASK;
        }
        int esize = 1 << len;
        int levels = esize - 1;
        int s = imms & levels;
        int r = immr & levels;
        if (s == levels) {
            return NO_BITMASK;
        }
        long welem = s + 1 == 64 ? -1L : (1L << (s + 1)) - 1;
        long elem = r == 0 ? welem : (welem >>> r | welem << (esize - r)) & (esize == 64 ? -1L : (1L << esize) - 1);
        long out = 0;
        for (int i = 0; i < 64; i += esize) {
            out |= elem << i;
        }
        return is64 ? out : out & 0xFFFFFFFFL;
    }

    private static void moveWide(int w, List<Effect> fx) {
        boolean is64 = (w & 0x80000000) != 0;
        int opc = (w >>> 29) & 3;
        int rd = w & 31;
        if (rd == 31) {
            return;
        }
        long imm = ((long) (w >>> 5) & 0xFFFF) << (16 * ((w >>> 21) & 3));
        switch (opc) {
            case 0 -> fx.add(new Effect.SetConstant(rd, is64 ? ~imm : ~imm & 0xFFFFFFFFL)); // MOVN
            case 2 -> fx.add(new Effect.SetConstant(rd, imm)); // MOVZ
            default -> fx.add(new Effect.Clobber(rd)); // MOVK: merges into an unknown value
        }
    }

    private static void logicalRegister(int w, List<Effect> fx) {
        int rd = w & 31;
        if (rd == 31) {
            return; // TST and writes to ZR
        }
        // MOV Rd, Rm is ORR Rd, ZR, Rm with no shift: sf 01 01010 00 0 Rm 000000 11111 Rd
        if ((w & 0x7FE0FFE0) == 0x2A0003E0) {
            int rm = (w >>> 16) & 31;
            boolean is64 = (w & 0x80000000) != 0;
            if (rm == 31) {
                fx.add(new Effect.SetConstant(rd, 0));
            } else if (is64) {
                fx.add(new Effect.Move(rd, rm));
            } else {
                fx.add(new Effect.Move32(rd, rm));
            }
            return;
        }
        fx.add(new Effect.Clobber(rd));
    }

    /**
     * FMOV/FCVT* to a general register (conversion between floating point and integer with
     * opcode 000, 001, 100, 101, 110) and UMOV/SMOV (SIMD copy with imm4 0101, 0111).
     */
    private static boolean writesGeneral(int w) {
        if ((w & 0x5F20FC00) == 0x1E200000) {
            int opcode = (w >>> 16) & 7;
            return opcode != 2 && opcode != 3 && opcode != 7;
        }
        if ((w & 0x9FE08400) == 0x0E000400) {
            int imm4 = (w >>> 11) & 15;
            return imm4 == 5 || imm4 == 7;
        }
        return false;
    }

    private static void loadStore(int w, long pc, List<Effect> fx) {
        int rt = w & 31;
        int rn = (w >>> 5) & 31;
        boolean simd = (w & 0x04000000) != 0;
        if ((w & 0x3B000000) == 0x18000000) { // LDR (literal)
            int opc = (w >>> 30) & 3;
            if (!simd && rt != 31) {
                long addr = pc + 4L * signExtend(w >>> 5, 19);
                fx.add(opc == 1 ? new Effect.LoadGlobal(rt, addr) : new Effect.Clobber(rt));
            }
            return;
        }
        if ((w & 0x3A000000) == 0x28000000) { // load/store pair
            pair(w, fx);
            return;
        }
        if ((w & 0x3F000000) == 0x08000000) { // load/store exclusive, load-acquire/store-release, CAS
            int rs = (w >>> 16) & 31;
            boolean load = (w & 0x00400000) != 0;
            boolean cas = (w & 0x00A00000) == 0x00A00000;
            if (cas) {
                fx.add(new Effect.Scribble(rn, 0, 16));
            } else if (load) {
                clobberGeneral(fx, rt);
                if ((w & 0x00200000) != 0) {
                    clobberGeneral(fx, (w >>> 10) & 31); // LDXP, LDAXP: Rt2
                }
            } else {
                fx.add(new Effect.Scribble(rn, 0, 16));
            }
            if ((w & 0x00800000) == 0 && !load || (w & 0x00A00000) == 0x00A00000) {
                clobberGeneral(fx, rs); // store-exclusive status, CAS compare value
            }
            return;
        }
        if ((w & 0x3B000000) != 0x38000000 && (w & 0x3B000000) != 0x39000000) {
            return; // SIMD structure loads/stores, tag ops and other forms: no general register
        }
        int size = (w >>> 30) & 3;
        int opc = (w >>> 22) & 3;
        boolean unsignedOffset = (w & 0x01000000) != 0;
        int bytes = simd ? (opc >= 2 && size == 0 ? 16 : 1 << size) : 1 << size;
        boolean store = simd ? (opc & 1) == 0 : opc == 0;
        boolean prefetch = !simd && size == 3 && opc == 2;
        long disp;
        boolean writeback = false;
        boolean postIndex = false;
        if (unsignedOffset) {
            disp = ((w >>> 10) & 0xFFF) * (long) bytes;
        } else if ((w & 0x00200000) != 0) {
            int kind = (w >>> 10) & 3;
            if (kind == 2) { // register offset: an address the decoder does not express
                if (store) {
                    fx.add(new Effect.Scribble(-1, 0, bytes));
                } else if (!simd && !prefetch) {
                    clobberGeneral(fx, rt);
                }
                return;
            }
            // atomic memory operations (LDADD, SWP, ...): Rt gets the old value, memory changes
            fx.add(new Effect.Scribble(rn, 0, bytes));
            clobberGeneral(fx, rt);
            return;
        } else {
            disp = signExtend(w >>> 12, 9);
            int kind = (w >>> 10) & 3;
            writeback = kind == 1 || kind == 3;
            postIndex = kind == 1;
        }
        long at = postIndex ? 0 : disp;
        if (store) {
            if (!simd && size == 3) {
                fx.add(storeOf(rt, rn, at));
            } else {
                fx.add(new Effect.Scribble(rn, at, bytes));
            }
        } else if (!simd && !prefetch) {
            fx.add(size == 3 && opc == 1 ? new Effect.Load(rt, rn, at) : new Effect.Clobber(rt));
        }
        if (writeback) {
            fx.add(new Effect.AddOffset(rn, rn, disp));
        }
    }

    private static void pair(int w, List<Effect> fx) {
        int rt = w & 31;
        int rn = (w >>> 5) & 31;
        int rt2 = (w >>> 10) & 31;
        boolean simd = (w & 0x04000000) != 0;
        boolean load = (w & 0x00400000) != 0;
        int opc = (w >>> 30) & 3;
        int bytes = simd ? 4 << opc : opc == 2 ? 8 : 4;
        long disp = signExtend(w >>> 15, 7) * bytes;
        int mode = (w >>> 23) & 3; // 1 post-index, 2 signed offset, 3 pre-index, 0 no-allocate
        long at = mode == 1 ? 0 : disp;
        if (!load) {
            if (!simd && opc == 2) {
                fx.add(storeOf(rt, rn, at));
                fx.add(storeOf(rt2, rn, at + 8));
            } else {
                fx.add(new Effect.Scribble(rn, at, 2 * bytes));
            }
        } else if (!simd) {
            if (opc == 2) {
                addLoad(fx, rt, rn, at);
                addLoad(fx, rt2, rn, at + 8);
            } else {
                clobberGeneral(fx, rt);
                clobberGeneral(fx, rt2);
            }
        }
        if (mode == 1 || mode == 3) {
            fx.add(new Effect.AddOffset(rn, rn, disp));
        }
    }

    /**
     * A 64-bit store of register {@code rt}; of XZR, the zeroing of the word, which like amd64's
     * zeroing with X15 is a scribble: no value the analysis follows (a stack closure zeroed
     * before its words are stored must not look as if zero were one of its captured values).
     */
    private static Effect storeOf(int rt, int rn, long disp) {
        return rt == 31 ? new Effect.Scribble(rn, disp, 8) : new Effect.Store(rt, rn, disp);
    }

    private static void addLoad(List<Effect> fx, int rt, int rn, long disp) {
        if (rt != 31) {
            fx.add(new Effect.Load(rt, rn, disp));
        }
    }

    /** A write to register {@code r} of a load or store form, where 31 is the zero register. */
    private static void clobberGeneral(List<Effect> fx, int r) {
        if (r != 31) {
            fx.add(new Effect.Clobber(r));
        }
    }

    /** The low {@code bits} bits of {@code v}, sign-extended. */
    static long signExtend(int v, int bits) {
        return ((long) v << (64 - bits)) >> (64 - bits);
    }
}
