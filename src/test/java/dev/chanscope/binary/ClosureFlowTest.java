package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.chanscope.arch.Instruction;
import dev.chanscope.arch.amd64.Amd64Decoder;
import dev.chanscope.binary.AbstractValue.Address;
import dev.chanscope.binary.AbstractValue.Context;
import dev.chanscope.binary.AbstractValue.Field;
import dev.chanscope.binary.AbstractValue.NewObject;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The closure dataflow on small instruction sequences (assembled with GNU as 2.40 from the
 * Intel syntax in the comments), shaped like the code Go emits around {@code go} statements.
 * Call targets are told apart by address: the code is position-dependent and its CALLs have
 * zero displacements, so each targets the next instruction.
 */
class ClosureFlowTest {
    private static final long BASE = 0x400000;

    private static List<Instruction> assemble(String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        Amd64Decoder d = new Amd64Decoder();
        List<Instruction> out = new ArrayList<>();
        for (int off = 0; off < b.length; ) {
            Instruction in = d.decode(b, off, b.length, BASE + off);
            assertNotNull(in, "offset " + off);
            out.add(in);
            off += in.length();
        }
        return out;
    }

    private static ClosureFlow.Calls calls(Set<Long> newobject) {
        return new ClosureFlow.Calls() {
            @Override
            public ClosureFlow.CallKind kind(long target) {
                return newobject.contains(target) ? ClosureFlow.CallKind.NEW_OBJECT : ClosureFlow.CallKind.OTHER;
            }

            @Override
            public int argumentBytes(long target) {
                return 8;
            }
        };
    }

    @Test
    void pathsThatDisagreeGiveNoValue() {
        //  0: test eax,eax            2: je 0xd
        //  4: lea rax,[rip+0x1000]    b: jmp 0x14
        //  d: lea rax,[rip+0x2000]   14: call (newproc)   19: ret
        ClosureFlow f = ClosureFlow.analyze(assemble("85c0 7409 488d0500100000 eb07 488d0500200000 e800000000 c3"),
                Amd64Decoder.CONVENTION, calls(Set.of()));
        assertEquals(AbstractValue.UNKNOWN, f.argumentAt(BASE + 0x14, 0));
        // One path: the address and the LEA that made it.
        ClosureFlow g = ClosureFlow.analyze(assemble("488d0500100000 e800000000 c3"), Amd64Decoder.CONVENTION,
                calls(Set.of()));
        assertEquals(new Address(BASE + 7 + 0x1000, BASE), g.argumentAt(BASE + 7, 0));
    }

    @Test
    void aGoWrapperCallsTheClosureItCaptured() {
        // gowrap: the morestack restart (jmp back to the entry) must not lose the context in DX.
        //  0: cmp rsp,[r14+0x10]   4: jbe 0x21   6: push rbp   7: mov rbp,rsp   a: sub rsp,8
        //  e: mov rax,[rdx+0x10]  12: mov rdx,[rdx+8]  16: mov rcx,[rdx]  19: call rcx
        // 1b: add rsp,8  1f: pop rbp  20: ret  21: call morestack  26: jmp 0  28: int3
        ClosureFlow f = ClosureFlow.analyze(assemble(
                "493b6610 761b 55 4889e5 4883ec08 488b4210 488b5208 488b0a ffd1 4883c408 5d c3 e800000000 ebd8 cc"),
                Amd64Decoder.CONVENTION, calls(Set.of()));
        assertEquals(new Field(new Field(new Context(), 8), 0), f.indirectTargetAt(BASE + 0x19));
    }

    @Test
    void aClosureObjectSpilledAcrossAnAllocationIsCapturedByTheNextOne() {
        //  0: lea rax,[rip+0x1000]  7: call newobject (A)  c: lea rdx,[rip+0x2000]  13: mov [rax],rdx
        // 16: mov [rsp+0x50],rax   1b: lea rax,[rip+0x1100]  22: call newobject (B)
        // 27: mov rcx,[rsp+0x50]   2c: mov [rax+8],rcx       30: lea rcx,[rip+0x3000]  37: mov [rax],rcx
        // 3a: call newproc         3f: ret
        String code = "488d0500100000 e800000000 488d1500200000 488910 4889442450 488d0500110000 e800000000"
                + " 488b4c2450 48894808 488d0d00300000 488908 e800000000 c3";
        long a = BASE + 0x07;
        long b = BASE + 0x22;
        ClosureFlow f = ClosureFlow.analyze(assemble(code), Amd64Decoder.CONVENTION, calls(Set.of(a + 5, b + 5)));
        assertEquals(new NewObject(b), f.argumentAt(BASE + 0x3a, 0));
        assertEquals(Map.of(0L, new Address(BASE + 0x37 + 0x3000, BASE + 0x30), 8L, new NewObject(a)), f.objectWords(b));
        assertEquals(Map.of(0L, new Address(BASE + 0x13 + 0x2000, BASE + 0x0c)), f.objectWords(a));
        // Any other call in between clobbers AX and the frame's slots.
        ClosureFlow g = ClosureFlow.analyze(assemble(code), Amd64Decoder.CONVENTION, calls(Set.of(a + 5)));
        assertEquals(AbstractValue.UNKNOWN, g.argumentAt(BASE + 0x3a, 0));
    }
}
