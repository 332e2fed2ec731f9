package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.arch.amd64.Amd64Decoder;
import dev.chanscope.binary.AbstractValue.Address;
import dev.chanscope.binary.AbstractValue.CallResult;
import dev.chanscope.binary.AbstractValue.Context;
import dev.chanscope.binary.AbstractValue.Field;
import dev.chanscope.binary.AbstractValue.Param;
import dev.chanscope.binary.AbstractValue.SlotLoad;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * The operand mode of the dataflow on small instruction sequences (assembled with GNU as 2.40
 * from the Intel syntax in the comments), shaped like the code Go emits around a close or a
 * send: the channel register traced to a parameter, a field chain, a captured variable, a
 * call's result or a package variable. Each CALL has a zero displacement and so targets the
 * next instruction; the frame size is constant (no prologue), so frame offset = SP offset -
 * size.
 */
class OperandFlowTest {
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

    /** Ordinary calls, except that the call targeting {@code bulk} writes upward from DI like runtime.duffzero. */
    private static ClosureFlow.Calls calls(long bulk) {
        return new ClosureFlow.Calls() {
            @Override
            public ClosureFlow.CallKind kind(long target) {
                return ClosureFlow.CallKind.OTHER;
            }

            @Override
            public int argumentBytes(long target) {
                return 8;
            }

            @Override
            public int bulkDestination(long target) {
                return target == bulk ? 7 : -1;
            }
        };
    }

    private static ClosureFlow.Frame frame(long size, LongPredicate kept) {
        return new ClosureFlow.Frame() {
            @Override
            public long size(long pc) {
                return size;
            }

            @Override
            public boolean keptAcrossCalls(long frameOffset) {
                return kept.test(frameOffset);
            }
        };
    }

    private static ClosureFlow run(String hex, ClosureFlow.Frame frame, long bulk) {
        return ClosureFlow.analyzeOperands(assemble(hex), Amd64Decoder.CONVENTION, calls(bulk), frame);
    }

    @Test
    void aReceiverSpilledToItsArgumentSlotSurvivesCallsAndItsFieldsChain() {
        //  0: mov [rsp+0x20],rax     5: call (other)          a: mov rcx,[rsp+0x20]
        //  f: mov rax,[rcx+0x20]    13: call (closechan)     18: mov rax,[rax+8]
        // 1c: mov rax,[rax+0x20]    20: call (chansend1)     25: ret
        String code = "4889442420 e800000000 488b4c2420 488b4120 e800000000 488b4008 488b4020 e800000000 c3";
        // Frame size 0x18: SP+0x20 is frame offset +8, the first argument's spill slot in the caller's frame.
        ClosureFlow f = run(code, frame(0x18, o -> o >= 8), -1);
        assertEquals(new Field(new Param(0), 0x20), f.argumentAt(BASE + 0x13, 0));
        // After a call AX is that call's result; its field chain follows it.
        assertEquals(new Field(new Field(new CallResult(BASE + 0x13), 8), 0x20), f.argumentAt(BASE + 0x20, 0));
        // A slot the callee may write is dropped at the call: the reload is the slot itself.
        ClosureFlow g = run(code, frame(0x18, o -> false), -1);
        assertEquals(new Field(new SlotLoad(8), 0x20), g.argumentAt(BASE + 0x13, 0));
    }

    @Test
    void capturedVariablesByValueAndByReferenceAndAPackageVariable() {
        //  0: mov rcx,[rdx+8]       4: mov [rsp+0x10],rcx    9: mov rax,[rdx+0x10]
        //  d: mov [rsp+8],rax      12: call (other)         17: mov rax,[rsp+8]
        // 1c: call (closechan)     21: mov rcx,[rsp+0x10]   26: mov rax,[rcx]
        // 29: call (chansend1)     2e: mov rax,[rip+0x1000] 35: call (closechan)   3a: ret
        String code = "488b4a08 48894c2410 488b4210 4889442408 e800000000 488b442408 e800000000"
                + " 488b4c2410 488b01 e800000000 488b0500100000 e800000000 c3";
        ClosureFlow f = run(code, frame(0x20, o -> o >= -0x20 && o < -8), -1);
        assertEquals(new Field(new Context(), 0x10), f.argumentAt(BASE + 0x1c, 0));
        assertEquals(new Field(new Field(new Context(), 8), 0), f.argumentAt(BASE + 0x29, 0));
        assertEquals(new Field(new Address(BASE + 0x35 + 0x1000, BASE + 0x2e), 0), f.argumentAt(BASE + 0x35, 0));
    }

    @Test
    void aBulkHelperWritingALocalDropsTheLocalsAboveItButNotTheArgumentArea() {
        //  0: mov [rsp+0x20],rbx     5: call (makechan)       a: mov [rsp+8],rax
        //  f: lea rdi,[rsp]        13: call (duffzero)      18: mov rax,[rsp+8]
        // 1d: call (closechan)     22: mov rax,[rsp+0x20]   27: call (chansend1)   2c: ret
        String code = "48895c2420 e800000000 4889442408 488d3c24 e800000000 488b442408 e800000000"
                + " 488b442420 e800000000 c3";
        ClosureFlow.Frame fr = frame(0x18, o -> o >= 8 || (o >= -0x18 && o < -8));
        ClosureFlow f = run(code, fr, BASE + 0x18);
        assertEquals(new SlotLoad(8 - 0x18), f.argumentAt(BASE + 0x1d, 0));
        assertEquals(new Param(1), f.argumentAt(BASE + 0x27, 0));
        // An ordinary call keeps the spilled result (frame offset -0x10 is a pointer local).
        ClosureFlow g = run(code, fr, -1);
        assertEquals(new CallResult(BASE + 5), g.argumentAt(BASE + 0x1d, 0));
    }

    @Test
    void aRipRelativeQuadLoadIsALoadOfAPackageVariable() {
        Instruction in = assemble("488b0500100000").get(0);
        assertEquals(List.of(new Effect.LoadGlobal(0, BASE + 7 + 0x1000)), in.effects());
        // 32-bit loads of a global still just clobber.
        assertEquals(List.of(new Effect.Clobber(0)), assemble("8b0500100000").get(0).effects());
    }

    @Test
    void receiverTypesComeFromPointerMethodNames() {
        assertEquals(Optional.of("main.watcher"), ChannelOperands.receiverType("main.(*watcher).send"));
        assertEquals(Optional.of("github.com/x/y.Conn"), ChannelOperands.receiverType("github.com/x/y.(*Conn).Close"));
        assertEquals(Optional.of("main.Pool[...]"), ChannelOperands.receiverType(
                "main.(*Pool[go.shape.struct { Name string; Generation int64; Ready bool }]).Wait"));
        assertEquals(Optional.empty(), ChannelOperands.receiverType("main.(*T).M.func1"));
        assertEquals(Optional.empty(), ChannelOperands.receiverType("main.(*T).M-fm"));
        assertEquals(Optional.empty(), ChannelOperands.receiverType("main.T.M"));
        assertEquals(Optional.empty(), ChannelOperands.receiverType("main.fanIn"));
    }

    @Test
    void resolvedOperandsReplaceCapturesByWhatTheirBuilderStored() {
        ChannelOperand made = new ChannelOperand.CallResult(0x1000, "runtime.makechan");
        ChannelOperand captured = new ChannelOperand.Captured(0x10, "main.f.func1", made);
        assertEquals(made, captured.resolved());
        ChannelOperand recv = new ChannelOperand.Param(0, "main.(*T).M", Optional.of("main.T"));
        ChannelOperand viaClosure = new ChannelOperand.Field(new ChannelOperand.Captured(8, "main.(*T).M.func1", recv), 0x20);
        assertEquals(new ChannelOperand.Field(recv, 0x20), viaClosure.resolved());
        assertEquals(Optional.of(new ChannelOperand.FieldChain("main.T", List.of(0x20L))), viaClosure.resolved().fieldChain());
        assertEquals(Optional.empty(), viaClosure.fieldChain());
        assertEquals(false, new ChannelOperand.Field(ChannelOperand.UNKNOWN, 8).known());
    }
}
