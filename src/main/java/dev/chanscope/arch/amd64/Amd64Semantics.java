package dev.chanscope.arch.amd64;

import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Effect.CallThrough;
import dev.chanscope.arch.Effect.Clobber;
import dev.chanscope.arch.Effect.Load;
import dev.chanscope.arch.Effect.Move;
import dev.chanscope.arch.Effect.Scribble;
import dev.chanscope.arch.Effect.SetConstant;
import dev.chanscope.arch.Effect.SetAddress;
import dev.chanscope.arch.Effect.Store;
import dev.chanscope.arch.Instruction;
import dev.chanscope.arch.Instruction.Flow;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives a decoded amd64 instruction its control flow and its {@link Effect}s. Exact for the
 * forms the closure analysis follows (64-bit MOV and LEA, calls, jumps); conservative for the
 * rest: every general register an instruction may write is clobbered, every memory operand it
 * may write is scribbled. An effect missed here could make the analysis keep a stale value, so
 * when in doubt an instruction clobbers.
 */
final class Amd64Semantics {
    private static final int AX = 0, CX = 1, DX = 2, BX = 3, SP = 4, BP = 5, SI = 6, DI = 7, R11 = 11;
    /** Scribble size for vector stores: the widest register (ZMM). */
    private static final int VECTOR = 64;

    private Amd64Semantics() {
    }

    static Instruction instruction(Amd64Encoding e, long pc) {
        Builder b = new Builder(e, pc);
        switch (e.form()) {
            case LEGACY -> {
                switch (e.map()) {
                    case 0 -> b.oneByte();
                    case 1 -> b.twoByte();
                    case 2 -> b.map38();
                    case 3 -> b.map3A();
                    default -> { }
                }
            }
            case VEX, EVEX -> b.vector();
            case XOP -> { }
        }
        return new Instruction(pc, e.length(), b.flow, b.target, b.effects.isEmpty() ? List.of() : b.effects);
    }

    private static final class Builder {
        private final Amd64Encoding e;
        private final long pc;
        private final List<Effect> effects = new ArrayList<>(2);
        private Flow flow = Flow.NEXT;
        private long target;

        Builder(Amd64Encoding e, long pc) {
            this.e = e;
            this.pc = pc;
        }

        private long next() {
            return pc + e.length();
        }

        private void clobber(int reg) {
            effects.add(new Clobber(reg));
        }

        /** A write to a byte register: without REX, 4-7 are AH, CH, DH, BH (bits of AX..BX). */
        private void clobberByteReg(int reg) {
            clobber(!e.rex() && reg >= 4 && reg < 8 ? reg - 4 : reg);
        }

        private int operandSize(boolean byteOp) {
            return byteOp ? 1 : e.rexW() ? 8 : e.opsize() ? 2 : 4;
        }

        /** The r/m operand is written with {@code size} bytes. */
        private void writeRm(int size) {
            if (!e.hasModrm()) {
                return;
            }
            if (e.mod() == 3) {
                if (size == 1) {
                    clobberByteReg(e.rm());
                } else {
                    clobber(e.rm());
                }
            } else {
                scribble(size);
            }
        }

        private void writeReg(boolean byteOp) {
            if (byteOp) {
                clobberByteReg(e.reg());
            } else {
                clobber(e.reg());
            }
        }

        /** Unknown bytes written at the memory operand. */
        private void scribble(int size) {
            if (!e.memory() || e.ripRelative()) {
                return; // a global: never a stack slot or a fresh object
            }
            if (e.base() < 0) {
                effects.add(new Scribble(-1, 0, -1));
            } else if (e.index() >= 0) {
                effects.add(new Scribble(e.base(), 0, -1));
            } else {
                effects.add(new Scribble(e.base(), e.disp(), size));
            }
        }

        private void branch(Flow f) {
            flow = f;
            target = next() + e.rel();
        }

        private void indirect(Flow f) {
            flow = f;
            if (e.mod() == 3) {
                effects.add(new CallThrough(e.rm(), -1, 0));
            } else if (e.simpleMemory()) {
                effects.add(new CallThrough(-1, e.base(), e.disp()));
            } else {
                effects.add(new CallThrough(-1, -1, 0));
            }
        }

        private void stringOp(boolean reads, boolean writes, boolean usesSi, boolean loadsAx) {
            boolean repeated = e.rep() || e.repne();
            if (writes) {
                effects.add(new Scribble(DI, 0, repeated ? -1 : 8));
            }
            if (loadsAx) {
                clobber(AX);
            }
            if (usesSi) {
                clobber(SI);
            }
            if (writes || reads) {
                clobber(DI);
            }
            if (repeated) {
                clobber(CX);
            }
        }

        void oneByte() {
            int op = e.opcode();
            if (op < 0x40) {
                if ((op & 7) < 4) {
                    boolean byteOp = (op & 1) == 0;
                    if (op >> 3 == 7) {
                        return; // CMP
                    }
                    if ((op == 0x31 || op == 0x33) && e.mod() == 3 && e.reg() == e.rm() && !e.opsize()) {
                        effects.add(new SetConstant(e.reg(), 0)); // XOR r, r: zero (32-bit form zero-extends)
                    } else if ((op & 2) != 0) {
                        writeReg(byteOp);
                    } else {
                        writeRm(operandSize(byteOp));
                    }
                } else if ((op & 7) == 4 || (op & 7) == 5) {
                    if (op >> 3 != 7) {
                        clobber(AX); // ALU AL/AX, imm
                    }
                }
                return;
            }
            if (op >= 0x50 && op <= 0x57) {
                clobber(SP);
                return;
            }
            if (op >= 0x58 && op <= 0x5F) {
                clobber((op & 7) | rexB());
                clobber(SP);
                return;
            }
            if (op >= 0x70 && op <= 0x7F) {
                branch(Flow.BRANCH);
                return;
            }
            if (op >= 0x91 && op <= 0x97 || op == 0x90 && rexB() != 0) {
                clobber(AX);
                clobber((op & 7) | rexB());
                return;
            }
            if (op >= 0xB0 && op <= 0xB7) {
                clobberByteReg((op & 7) | rexB());
                return;
            }
            if (op >= 0xB8 && op <= 0xBF) {
                int r = (op & 7) | rexB();
                if (e.opsize() && !e.rexW()) {
                    clobber(r); // 16-bit: keeps the upper bits
                } else {
                    effects.add(new SetConstant(r, e.rexW() ? e.imm() : e.imm() & 0xffffffffL));
                }
                return;
            }
            if (op >= 0xD8 && op <= 0xDF) {
                x87();
                return;
            }
            switch (op) {
                case 0x63, 0x69, 0x6B -> clobber(e.reg());
                case 0x68, 0x6A, 0x9C, 0x9D -> clobber(SP);
                case 0x6C, 0x6D -> stringOp(false, true, false, false);
                case 0x6E, 0x6F -> stringOp(false, false, true, false);
                case 0x80, 0x81, 0x83 -> {
                    if ((e.reg() & 7) != 7) {
                        writeRm(operandSize(op == 0x80));
                    }
                }
                case 0x86, 0x87 -> {
                    writeReg(op == 0x86);
                    writeRm(operandSize(op == 0x86));
                }
                case 0x88 -> writeRm(1);
                case 0x89 -> {
                    if (!e.rexW() && e.mod() == 3 && operandSize(false) == 4) {
                        // MOVL r32, r32: Go 1.27 copies a constant argument this way (MOVL DI, SI).
                        effects.add(new Effect.Move32(e.rm(), e.reg()));
                    } else if (!e.rexW()) {
                        writeRm(operandSize(false));
                    } else if (e.mod() == 3) {
                        effects.add(new Move(e.rm(), e.reg()));
                    } else if (e.simpleMemory()) {
                        effects.add(new Store(e.reg(), e.base(), e.disp()));
                    } else {
                        scribble(8);
                    }
                }
                case 0x8A -> writeReg(true);
                case 0x8B -> {
                    if (e.rexW() && e.mod() == 3) {
                        effects.add(new Move(e.reg(), e.rm()));
                    } else if (e.mod() == 3 && operandSize(false) == 4) {
                        effects.add(new Effect.Move32(e.reg(), e.rm()));
                    } else if (e.rexW() && e.simpleMemory()) {
                        effects.add(new Load(e.reg(), e.base(), e.disp()));
                    } else if (e.rexW() && e.memory() && e.ripRelative() && !e.adsize()) {
                        effects.add(new Effect.LoadGlobal(e.reg(), next() + e.disp()));
                    } else {
                        clobber(e.reg());
                    }
                }
                case 0x8C -> writeRm(2);
                case 0x8D -> lea();
                case 0x8F -> {
                    writeRm(8);
                    clobber(SP);
                }
                case 0x98 -> clobber(AX);
                case 0x99 -> clobber(DX);
                case 0x9F -> clobber(AX);
                case 0xA0, 0xA1 -> clobber(AX);
                case 0xA2, 0xA3 -> { } // store to an absolute address: a global
                case 0xA4, 0xA5 -> stringOp(true, true, true, false);
                case 0xA6, 0xA7 -> stringOp(true, false, true, false);
                case 0xAA, 0xAB -> stringOp(false, true, false, false);
                case 0xAC, 0xAD -> stringOp(false, false, true, true);
                case 0xAE, 0xAF -> stringOp(true, false, false, false);
                case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3 -> writeRm(operandSize((op & 1) == 0));
                case 0xC2, 0xC3, 0xCA, 0xCB, 0xCF -> flow = Flow.RETURN;
                case 0xC6 -> {
                    if (e.mod() != 3 || (e.reg() & 7) != 7) {
                        writeRm(1);
                    }
                }
                case 0xC7 -> {
                    if (e.mod() == 3 && (e.reg() & 7) == 7) {
                        flow = Flow.BRANCH; // XBEGIN: the abort path resumes at the target
                        target = next() + e.imm();
                    } else if (e.mod() == 3 && (e.reg() & 7) == 0 && !(e.opsize() && !e.rexW())) {
                        effects.add(new SetConstant(e.rm(), e.rexW() ? e.imm() : e.imm() & 0xffffffffL));
                    } else {
                        writeRm(operandSize(false));
                    }
                }
                case 0xC8, 0xC9 -> {
                    clobber(SP);
                    clobber(BP);
                }
                case 0xCC, 0xF4 -> flow = Flow.STOP;
                case 0xD7 -> clobber(AX);
                case 0xE0, 0xE1, 0xE2 -> {
                    branch(Flow.BRANCH);
                    clobber(CX);
                }
                case 0xE3 -> branch(Flow.BRANCH);
                case 0xE4, 0xE5, 0xEC, 0xED -> clobber(AX);
                case 0xE8 -> branch(Flow.CALL);
                case 0xE9, 0xEB -> branch(Flow.JUMP);
                case 0xF6, 0xF7 -> group3(op == 0xF6);
                case 0xFE -> {
                    if ((e.reg() & 7) <= 1) {
                        writeRm(1);
                    }
                }
                case 0xFF -> groupFF();
                default -> { }
            }
        }

        private int rexB() {
            // Opcode-embedded registers (PUSH/POP/XCHG/MOV imm/BSWAP) are extended by REX.B.
            return e.rexB() ? 8 : 0;
        }

        private void lea() {
            if (!e.rexW() || e.adsize() || !e.memory()) {
                clobber(e.reg());
            } else if (e.ripRelative()) {
                effects.add(new SetAddress(e.reg(), next() + e.disp()));
            } else if (e.base() >= 0 && e.index() < 0) {
                effects.add(new Effect.AddOffset(e.reg(), e.base(), e.disp()));
            } else {
                clobber(e.reg());
            }
        }

        private void group3(boolean byteOp) {
            switch (e.reg() & 7) {
                case 0, 1 -> { } // TEST
                case 2, 3 -> writeRm(operandSize(byteOp)); // NOT, NEG
                default -> {
                    clobber(AX); // MUL, IMUL, DIV, IDIV
                    if (!byteOp) {
                        clobber(DX);
                    }
                }
            }
        }

        private void groupFF() {
            switch (e.reg() & 7) {
                case 0, 1 -> writeRm(operandSize(false));
                case 2, 3 -> indirect(Flow.CALL_INDIRECT);
                case 4, 5 -> indirect(Flow.JUMP_INDIRECT);
                case 6 -> clobber(SP);
                default -> { }
            }
        }

        private void x87() {
            int op = e.opcode();
            int r = e.reg() & 7;
            if (e.mod() == 3) {
                if (op == 0xDF && r == 4) {
                    clobber(AX); // FNSTSW AX
                }
                return;
            }
            boolean store = switch (op) {
                case 0xD9 -> r == 2 || r == 3 || r == 6 || r == 7;
                case 0xDB -> r == 1 || r == 2 || r == 3 || r == 7;
                case 0xDD -> r == 1 || r == 2 || r == 3 || r == 6 || r == 7;
                case 0xDF -> r == 1 || r == 2 || r == 3 || r == 6 || r == 7;
                default -> false;
            };
            if (store) {
                scribble(128); // FSAVE/FNSTENV areas are the largest, 108 bytes
            }
        }

        void twoByte() {
            int op = e.opcode();
            if (op >= 0x80 && op <= 0x8F) {
                branch(Flow.BRANCH);
                return;
            }
            if (op >= 0x40 && op <= 0x4F) {
                clobber(e.reg()); // CMOVcc: a value from one of two places is no single value
                return;
            }
            if (op >= 0x90 && op <= 0x9F) {
                writeRm(1); // SETcc
                return;
            }
            if (op >= 0xC8 && op <= 0xCF) {
                clobber((op & 7) | rexB()); // BSWAP
                return;
            }
            switch (op) {
                case 0x00 -> {
                    if ((e.reg() & 7) <= 1) {
                        writeRm(2);
                    }
                }
                case 0x01 -> system01();
                case 0x05 -> {
                    clobber(AX);
                    clobber(CX);
                    clobber(R11);
                }
                case 0x07, 0x35 -> flow = Flow.RETURN; // SYSRET, SYSEXIT
                case 0x0B -> flow = Flow.STOP; // UD2
                case 0x11, 0x13, 0x17, 0x29, 0x2B, 0x7F, 0xE7 -> scribble(16);
                case 0xD6 -> scribble(8);
                case 0xF7 -> effects.add(new Scribble(DI, 0, 16));
                case 0x2C, 0x2D -> {
                    if (e.rep() || e.repne()) {
                        clobber(e.reg()); // CVT(T)SS2SI / CVT(T)SD2SI
                    }
                }
                case 0x50, 0xC5, 0xD7 -> clobber(e.reg()); // MOVMSKPS/PD, PEXTRW, PMOVMSKB
                case 0x7E -> {
                    if (!e.rep()) {
                        writeRm(e.rexW() ? 8 : 4); // MOVD/MOVQ xmm/mm -> r/m
                    }
                }
                case 0x31, 0x32, 0x33 -> {
                    clobber(AX);
                    clobber(DX);
                }
                case 0xA0, 0xA8 -> clobber(SP);
                case 0xA1, 0xA9 -> clobber(SP);
                case 0xA2 -> {
                    clobber(AX);
                    clobber(BX);
                    clobber(CX);
                    clobber(DX);
                }
                case 0xA4, 0xA5, 0xAB, 0xAC, 0xAD, 0xB3, 0xBB -> writeRm(operandSize(false));
                case 0xBA -> {
                    if ((e.reg() & 7) >= 5) {
                        writeRm(operandSize(false));
                    }
                }
                case 0xAE -> group15();
                case 0xAF, 0xB6, 0xB7, 0xBE, 0xBF, 0xB8, 0xBC, 0xBD -> clobber(e.reg());
                case 0xB0, 0xB1 -> {
                    writeRm(operandSize(op == 0xB0));
                    clobber(AX);
                }
                case 0xC0, 0xC1 -> {
                    writeReg(op == 0xC0);
                    writeRm(operandSize(op == 0xC0));
                }
                case 0xC3 -> scribble(operandSize(false));
                case 0xC7 -> group9();
                default -> { }
            }
        }

        private void system01() {
            int r = e.reg() & 7;
            if (e.mod() != 3) {
                if (r <= 1) {
                    scribble(10); // SGDT, SIDT
                } else if (r == 4) {
                    writeRm(2); // SMSW
                }
                return;
            }
            int modrm = 0xC0 | (r << 3) | (e.rm() & 7);
            switch (modrm) {
                case 0xD0 -> { // XGETBV
                    clobber(AX);
                    clobber(DX);
                }
                case 0xF9 -> { // RDTSCP
                    clobber(AX);
                    clobber(DX);
                    clobber(CX);
                }
                default -> {
                    if (r == 4) {
                        writeRm(2);
                    }
                }
            }
        }

        private void group15() {
            int r = e.reg() & 7;
            if (e.mod() == 3) {
                if (e.rep() && r <= 1) {
                    clobber(e.rm()); // RDFSBASE, RDGSBASE
                }
                return;
            }
            if (r == 0 || r == 3 || r == 4 || r == 6) {
                scribble(-1); // FXSAVE, STMXCSR, XSAVE, XSAVEOPT/CLWB: areas of unbounded size
            }
        }

        private void group9() {
            int r = e.reg() & 7;
            if (e.mod() == 3) {
                if (r >= 6) {
                    clobber(e.rm()); // RDRAND, RDSEED, RDPID
                }
                return;
            }
            if (r == 1) {
                scribble(16); // CMPXCHG8B/16B
                clobber(AX);
                clobber(DX);
            } else if (r >= 3) {
                scribble(-1); // XRSTORS/XSAVEC/XSAVES
            }
        }

        void map38() {
            int op = e.opcode();
            if (op == 0xF0 || op == 0xF1) {
                if (e.repne()) {
                    clobber(e.reg()); // CRC32
                } else if (op == 0xF0) {
                    clobber(e.reg()); // MOVBE load
                } else {
                    writeRm(operandSize(false)); // MOVBE store
                }
            } else if (op == 0xF6) {
                clobber(e.reg()); // ADCX, ADOX
            }
        }

        void map3A() {
            int op = e.opcode();
            if (op >= 0x14 && op <= 0x17) {
                writeRm(8); // PEXTRB/W/D/Q, EXTRACTPS
            } else if (op == 0x61 || op == 0x63) {
                clobber(CX); // PCMPESTRI, PCMPISTRI
            }
        }

        void vector() {
            int op = e.opcode();
            switch (e.map()) {
                case 1 -> {
                    switch (op) {
                        case 0x50, 0xC5, 0xD7 -> clobber(e.reg());
                        case 0x2C, 0x2D -> {
                            if (e.rep() || e.repne()) {
                                clobber(e.reg());
                            }
                        }
                        case 0x7E -> {
                            if (e.opsize()) {
                                writeRm(e.rexW() ? 8 : 4);
                            }
                        }
                        case 0x93 -> {
                            if (e.mod() == 3) {
                                clobber(e.reg()); // KMOV r32/r64, k
                            }
                        }
                        case 0x11, 0x13, 0x17, 0x29, 0x2B, 0x7F, 0xD6, 0xE7 -> scribble(VECTOR);
                        case 0x90, 0x91 -> {
                            if (op == 0x91) {
                                scribble(8); // KMOV m, k
                            }
                        }
                        default -> { }
                    }
                }
                case 2 -> {
                    if (op >= 0xF2 && op <= 0xF7) {
                        clobber(e.reg()); // BMI1/BMI2: ANDN, BLS*, BZHI, PEXT, PDEP, MULX, BEXTR, SHLX/SARX/SHRX
                        if (e.vvvv() >= 0 && e.vvvv() < 16) {
                            clobber(e.vvvv());
                        }
                    } else if (op == 0x2E || op == 0x2F || op == 0x8E || op == 0x8A || op == 0x8B || op == 0x63
                            || (op >= 0xA0 && op <= 0xA3)) {
                        scribble(VECTOR); // masked stores, compress stores, scatters
                        if (op >= 0xA0 && op <= 0xA3 && e.memory() && e.base() >= 0) {
                            effects.add(new Scribble(e.base(), 0, -1));
                        }
                    } else if (e.rep() && ((op >= 0x10 && op <= 0x15) || (op >= 0x20 && op <= 0x25)
                            || (op >= 0x30 && op <= 0x35))) {
                        scribble(VECTOR); // EVEX VPMOV* down-converting stores
                    }
                }
                case 3 -> {
                    if (op >= 0x14 && op <= 0x17) {
                        writeRm(8);
                    } else if (op == 0x19 || op == 0x1B || op == 0x1D || op == 0x39 || op == 0x3B) {
                        scribble(VECTOR); // VEXTRACT*, VCVTPS2PH to memory
                    } else if (op == 0x61 || op == 0x63) {
                        clobber(CX);
                    } else if (op == 0xF0) {
                        clobber(e.reg()); // RORX
                    }
                }
                default -> { }
            }
        }
    }
}
