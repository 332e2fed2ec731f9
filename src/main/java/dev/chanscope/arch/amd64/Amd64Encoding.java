package dev.chanscope.arch.amd64;

/**
 * The fields of one decoded amd64 instruction, before any meaning is given to them.
 *
 * @param length    total size in bytes
 * @param form      legacy (optionally REX), VEX, EVEX or XOP encoded
 * @param map       opcode map: 0 one-byte, 1 = 0F, 2 = 0F38, 3 = 0F3A (VEX/EVEX mmm values; EVEX 5, 6; XOP 8-10)
 * @param opcode    the opcode byte within its map
 * @param opsize    a 66 prefix (or VEX/EVEX pp = 01)
 * @param rep       an F3 prefix (or pp = 10)
 * @param repne     an F2 prefix (or pp = 11)
 * @param rexW      REX.W / VEX.W / EVEX.W: 64-bit operand size for general-register forms
 * @param rex       a REX prefix is in effect (byte registers 4-7 are SPL..DIL instead of AH..BH)
 * @param rexB      REX.B / VEX.B: extends rm, the SIB base or an opcode-embedded register
 * @param hasModrm  a ModRM byte is present
 * @param mod       ModRM.mod (3 = register operand)
 * @param reg       ModRM.reg extended by REX.R / VEX.R
 * @param rm        ModRM.rm extended by REX.B (a register number when mod == 3)
 * @param base      memory operand base register, -1 when none
 * @param index     memory operand index register, -1 when none
 * @param ripRelative memory operand is [RIP + disp32]
 * @param disp      memory displacement (sign-extended)
 * @param vvvv      VEX/EVEX second source register, -1 for legacy encodings
 * @param imm       first immediate (sign-extended), 0 when none
 * @param rel       relative branch displacement, valid when {@code hasRel}
 * @param hasRel    the instruction has a rel8/rel32 operand
 * @param adsize    a 67 prefix (32-bit addressing)
 */
record Amd64Encoding(int length, Form form, int map, int opcode, boolean opsize, boolean rep, boolean repne,
                     boolean rexW, boolean rex, boolean rexB, boolean hasModrm, int mod, int reg, int rm, int base, int index,
                     boolean ripRelative, long disp, int vvvv, long imm, long rel, boolean hasRel, boolean adsize) {

    enum Form { LEGACY, VEX, EVEX, XOP }

    boolean memory() {
        return hasModrm && mod != 3;
    }

    /** The memory operand is [base + disp] with a base register and no index. */
    boolean simpleMemory() {
        return memory() && !ripRelative && base >= 0 && index < 0;
    }
}
