package dev.chanscope.arch.amd64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.arch.Instruction.Flow;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Single instructions: lengths (each checked against GNU objdump 2.40, {@code objdump -D -b
 * binary -mi386:x86-64}, whose disassembly is given in the comment) and the effects the
 * closure analysis relies on. Whole functions are checked against gdb in Amd64DecoderGdbTest.
 */
class Amd64DecoderTest {
    private static final long PC = 0x401000;
    private final Amd64Decoder decoder = new Amd64Decoder();

    private Instruction decode(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        return decoder.decode(b, 0, b.length, PC);
    }

    @ParameterizedTest(name = "{0} is {1} bytes: {2}")
    @CsvSource(delimiter = '|', value = {
        "488b442408|5|mov 0x8(%rsp),%rax",
        "c5fd6f06|4|vmovdqa (%rsi),%ymm0 (VEX2)",
        "c4e27d18c0|5|vbroadcastss %xmm0,%ymm0 (VEX3 map 0F38)",
        "62f17c4828c1|6|vmovaps %zmm1,%zmm0 (EVEX)",
        "62f37d483bc101|7|vextracti32x8 $0x1,%zmm0,%ymm1 (EVEX map 0F3A, imm8)",
        "62f1fe486f0500000000|10|vmovdqu64 0x0(%rip),%zmm0 (EVEX, RIP-relative)",
        "62f27d49a00cc8|7|vpscatterdd %zmm1,(%rax,%zmm1,8){%k1} (EVEX, VSIB)",
        "660f3a0fc108|6|palignr $0x8,%xmm1,%xmm0",
        "660f3a44c111|6|pclmulhqhqdq %xmm1,%xmm0",
        "f3480fb8c1|5|popcnt %rcx,%rax",
        "48b88877665544332211|10|movabs $0x1122334455667788,%rax",
        "66c74424083412|7|movw $0x1234,0x8(%rsp) (66: imm16)",
        "f644240801|5|testb $0x1,0x8(%rsp) (group 3 TEST has an immediate)",
        "f6d8|2|neg %al (group 3 NEG has none)",
        "f7c078563412|6|test $0x12345678,%eax",
        "e800000000|5|call",
        "0f8500000000|6|jne rel32",
        "eb05|2|jmp rel8",
        "c8100000|4|enter $0x10,$0x0",
        "a18877665544332211|9|movabs 0x1122334455667788,%eax (moffs64)",
        "67a144332211|6|addr32 mov 0x11223344,%eax (67: moffs32)",
        "0f0b|2|ud2",
        "f348a5|3|rep movsq",
        "c4e2f9f7c1|5|shlx %rax,%rcx,%rax (BMI2)",
        "488d0500100000|7|lea 0x1000(%rip),%rax",
        "ff24c5a0000000|7|jmp *0xa0(,%rax,8) (SIB, no base)",
        "41ffd3|3|call *%r11",
        "2e0f1f840000000000|9|cs nopl 0x0(%rax,%rax,1)",
        "8f4878c2c100|6|vprotd $0x0,%xmm9,%xmm8 (XOP map 8)",
        "0f0fc1b4|4|pfmul %mm1,%mm0 (3DNow!: opcode as imm8 suffix)",
        "c7f800000000|6|xbegin",
        "d97c2408|4|fnstcw 0x8(%rsp)",
        "40886c2401|5|mov %bpl,0x1(%rsp)",
        "f00fb10a|4|lock cmpxchg %ecx,(%rdx)",
        "0f01d0|3|xgetbv",
        "66480f7ec0|5|movq %xmm0,%rax",
    })
    void lengthMatchesObjdump(String hex, int length, String what) {
        Instruction in = decode(hex);
        assertNotNull(in, what);
        assertEquals(length, in.length(), what);
    }

    @Test
    void invalidInLongModeOrCutOffIsNull() {
        assertNull(decode("06"), "PUSH ES is invalid in 64-bit mode");
        assertNull(decode("d4 0a".replace(" ", "")), "AAM is invalid in 64-bit mode");
        assertNull(decode("488b4424"), "the displacement is missing");
        assertNull(decode("66666666666666666666666666666690"), "longer than 15 bytes");
        byte[] b = HexFormat.of().parseHex("e800000000");
        assertNull(decoder.decode(b, 0, 3, PC), "runs past the limit");
    }

    @Test
    void directCallsAndBranchesHaveTargets() {
        Instruction call = decode("e8fb0f0000");
        assertEquals(Flow.CALL, call.flow());
        assertEquals(PC + 5 + 0xffb, call.target());
        Instruction back = decode("ebfe");
        assertEquals(Flow.JUMP, back.flow());
        assertEquals(PC, back.target());
        Instruction jne = decode("0f85f6ffffff");
        assertEquals(Flow.BRANCH, jne.flow());
        assertEquals(PC + 6 - 10, jne.target());
        assertEquals(Flow.RETURN, decode("c3").flow());
        assertEquals(Flow.STOP, decode("cc").flow());
        assertEquals(Flow.JUMP_INDIRECT, decode("ff24c5a0000000").flow());
    }

    @Test
    void leaOfARipRelativeAddressSetsTheRegister() {
        // LEAQ 0x1000(IP), R11 (Go's LEAQ sym(SB), R11)
        Instruction in = decode("4c8d1d00100000");
        assertEquals(List.of(new Effect.SetAddress(11, PC + 7 + 0x1000)), in.effects());
        // LEAQ 0x78(SP), CX: a frame address
        assertEquals(List.of(new Effect.AddOffset(1, 4, 0x78)), decode("488d4c2478").effects());
        // LEAL is 32-bit: no address
        assertEquals(List.of(new Effect.Clobber(0)), decode("8d0500100000").effects());
    }

    @Test
    void movesLoadsAndStoresOf64BitRegisters() {
        assertEquals(List.of(new Effect.Move(11, 0)), decode("4989c3").effects(), "MOVQ AX, R11");
        // 32-bit register moves zero-extend (Go 1.27: MOVL $1, DI; MOVL DI, SI before selectgo).
        assertEquals(List.of(new Effect.Move32(6, 7)), decode("89fe").effects(), "MOVL DI, SI");
        assertEquals(List.of(new Effect.Move32(6, 7)), decode("8bf7").effects(), "MOVL DI, SI (8B form)");
        assertEquals(List.of(new Effect.Clobber(6)), decode("6689fe").effects(), "MOVW DI, SI: a partial write");
        assertEquals(List.of(new Effect.Load(2, 4, 0x198)), decode("488b942498010000").effects(),
                "MOVQ 0x198(SP), DX");
        assertEquals(List.of(new Effect.Store(1, 0, 8)), decode("48894808").effects(), "MOVQ CX, 0x8(AX)");
        assertEquals(List.of(new Effect.Load(0, 2, 0)), decode("488b02").effects(), "MOVQ 0(DX), AX");
        // 32-bit loads and stores are not followed.
        assertEquals(List.of(new Effect.Clobber(0)), decode("8b442408").effects());
        assertEquals(List.of(new Effect.Scribble(4, 8, 4)), decode("89442408").effects());
        // A store with an index register writes somewhere in the object.
        assertEquals(List.of(new Effect.Scribble(0, 0, -1)), decode("48890cd8").effects());
    }

    @Test
    void constantsForSelectgoCaseCounts() {
        assertEquals(List.of(new Effect.SetConstant(7, 1)), decode("bf01000000").effects(), "MOVL $0x1, DI");
        assertEquals(List.of(new Effect.SetConstant(1, 0)), decode("31c9").effects(), "XORL CX, CX");
        assertEquals(List.of(new Effect.SetConstant(0, 1)), decode("48c7c001000000").effects(), "MOVQ $1, AX");
        assertEquals(List.of(new Effect.SetConstant(8, 1)), decode("41b801000000").effects(), "MOVL $0x1, R8");
    }

    @Test
    void indirectCallsNameWhatTheyGoThrough() {
        assertEquals(List.of(new Effect.CallThrough(0, -1, 0)), decode("ffd0").effects(), "CALL AX");
        assertEquals(List.of(new Effect.CallThrough(-1, 2, 16)), decode("ff5210").effects(), "CALL 0x10(DX)");
        assertEquals(Flow.CALL_INDIRECT, decode("41ffd3").flow());
    }

    @Test
    void instructionsThatWriteRegistersClobberThem() {
        assertTrue(decode("0fa2").effects().containsAll(List.of(new Effect.Clobber(0), new Effect.Clobber(3),
                new Effect.Clobber(1), new Effect.Clobber(2))), "CPUID writes AX, BX, CX, DX");
        assertTrue(decode("0f01d0").effects().containsAll(List.of(new Effect.Clobber(0), new Effect.Clobber(2))),
                "XGETBV writes AX, DX");
        assertEquals(List.of(new Effect.Clobber(0)), decode("66480f7ec0").effects(), "MOVQ X0, AX");
        assertEquals(List.of(new Effect.Clobber(0)), decode("c5f9d7c1").effects(), "VPMOVMSKB X1, AX");
        assertEquals(List.of(new Effect.Clobber(0)), decode("480f4fc1").effects(), "CMOVQGT CX, AX");
        assertEquals(List.of(new Effect.Clobber(0)), decode("c6c000").effects(), "MOVB $0, AL");
        assertEquals(List.of(new Effect.Clobber(0)), decode("88e0").effects(), "MOVB AH, AL (no REX: 4 is AH)");
        assertEquals(List.of(new Effect.Clobber(4)), decode("4883ec18").effects(), "SUBQ $0x18, SP");
        assertTrue(decode("f348ab").effects().contains(new Effect.Scribble(7, 0, -1)), "REP STOSQ writes at DI");
        assertTrue(decode("c5fe7f06").effects().contains(new Effect.Scribble(6, 0, 64)), "VMOVDQU Y0, (SI)");
        assertTrue(decode("440f117c2418").effects().contains(new Effect.Scribble(4, 0x18, 16)), "MOVUPS X15, 0x18(SP)");
        assertEquals(List.of(), decode("833d00100000 00".replace(" ", "")).effects(), "CMPL sym(SB), $0");
        assertEquals(List.of(), decode("c5fd6f06").effects(), "VMOVDQA (SI), Y0 writes no general register");
    }
}
