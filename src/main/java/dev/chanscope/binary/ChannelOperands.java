package dev.chanscope.binary;

import dev.chanscope.binary.AbstractValue.Address;
import dev.chanscope.binary.AbstractValue.CallResult;
import dev.chanscope.binary.AbstractValue.Context;
import dev.chanscope.binary.AbstractValue.Field;
import dev.chanscope.binary.AbstractValue.NewObject;
import dev.chanscope.binary.AbstractValue.Param;
import dev.chanscope.binary.AbstractValue.SlotLoad;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.goruntime.Pclntab.FuncInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The channel operand of each close, send and select send case: the operand-mode dataflow
 * ({@link ClosureFlow#analyzeOperands}) gives the abstract value of the channel register at
 * the call, and this class turns it into a {@link ChannelOperand}, following a closure's
 * captured words back to the function that built the closure.
 */
final class ChannelOperands {
    /** selectgo(cas0, order0, pc0, nsends, nrecvs, block); runtime.scase is {c *hchan; elem unsafe.Pointer}. */
    private static final int SELECT_NSENDS = 3;
    private static final long SCASE_SIZE = 16;
    /** Closures nest (a go wrapper's closure, a closure in a closure): this many levels are followed. */
    private static final int MAX_DEPTH = 4;
    private static final Pattern POINTER_METHOD = Pattern.compile("^(.*)\\.\\(\\*(.+)\\)\\.([^.()]+)$");

    /** What the scanner knows that this needs. */
    interface Program {
        Optional<FuncInfo> function(long entry);

        /** Functions whose code materialises {@code entry} with a PC-relative LEA (closure builders). */
        List<FuncInfo> builders(long entry);

        /** The operand-mode dataflow of a function (memoised by the caller). */
        ClosureFlow flow(FuncInfo fn);

        /** The callee of the direct call at {@code pc}, empty when it is not a known function. */
        Optional<String> callee(long pc);

        /** The ELF object symbol containing a (relocated) address, "" when none. */
        String symbolAt(long address);

        /** The name in the type descriptor at a (relocated) address ("main.Collector"), "" when unreadable. */
        String typeName(long address);
    }

    private final Program program;
    private final Map<Long, ChannelOperand> capturedMemo = new HashMap<>();

    ChannelOperands(Program program) {
        this.program = program;
    }

    /** The channel of a close, send or non-blocking send: the first integer argument at the call. */
    ChannelOperand argument(FuncInfo fn, long callPc) {
        return argument(fn, callPc, 0);
    }

    /** Integer argument {@code index} at a direct call, as an operand. */
    ChannelOperand argument(FuncInfo fn, long callPc, int index) {
        return resolve(fn, program.flow(fn).argumentAt(callPc, index), 0);
    }

    /**
     * The channels of a selectgo call's send cases, in case order (the compiler puts the sends
     * first in the scase array: cmd/compile/internal/walk/select.go, 1.22 and 1.26); empty when
     * the array or the number of sends is not known.
     */
    List<ChannelOperand> selectSends(FuncInfo fn, long callPc) {
        ClosureFlow flow = program.flow(fn);
        if (!(flow.argumentAt(callPc, 0) instanceof AbstractValue.StackAddress cas0)
                || !(flow.argumentAt(callPc, SELECT_NSENDS) instanceof AbstractValue.Constant n)
                || n.value() < 0 || n.value() > 1 << 12) {
            return List.of();
        }
        List<ChannelOperand> out = new ArrayList<>();
        for (int i = 0; i < n.value(); i++) {
            AbstractValue c = flow.slotAt(callPc, cas0.offset() + SCASE_SIZE * i);
            out.add(resolve(fn, c, 0));
        }
        return out;
    }

    /** {@code pkg.T} for a pointer-receiver method {@code pkg.(*T).M} (generic types as {@code pkg.T[...]}). */
    static Optional<String> receiverType(String function) {
        if (function.endsWith("-fm")) {
            return Optional.empty(); // a method value wrapper: its context is the bound receiver
        }
        Matcher m = POINTER_METHOD.matcher(Pclntab.printName(function));
        return m.matches() ? Optional.of(m.group(1) + "." + m.group(2)) : Optional.empty();
    }

    // ---- from abstract values to operands ----

    private ChannelOperand resolve(FuncInfo fn, AbstractValue v, int depth) {
        if (v instanceof Param p) {
            return new ChannelOperand.Param(p.index(), fn.name(),
                    p.index() == 0 ? receiverType(fn.name()) : Optional.empty());
        }
        if (v instanceof CallResult r) {
            return new ChannelOperand.CallResult(r.pc(), program.callee(r.pc()).orElse("?"));
        }
        if (v instanceof NewObject o) {
            // newobject(typ *abi.Type), mallocgc*(size, typ, needzero): the descriptor is an argument at the call.
            int typeArg = Math.max(0, program.callee(o.allocPc()).map(Allocators::typeArgument).orElse(0));
            String type = program.flow(fn).argumentAt(o.allocPc(), typeArg) instanceof Address t
                    ? program.typeName(t.address()) : "";
            return new ChannelOperand.New(o.allocPc(), type);
        }
        if (v instanceof SlotLoad l) {
            return new ChannelOperand.Local(l.frameOffset(), fn.name());
        }
        if (v instanceof Field f) {
            if (f.base() instanceof Context) {
                return new ChannelOperand.Captured(f.disp(), fn.name(), captured(fn, f.disp(), depth));
            }
            if (f.base() instanceof Address a) {
                long at = a.address() + f.disp();
                return new ChannelOperand.Global(at, program.symbolAt(at));
            }
            // A word of a closure object: the captured value its builder stored there.
            Optional<ClosureWord> word = closureWord(fn, f.base(), f.disp(), depth);
            if (word.isPresent()) {
                return resolve(word.get().builder(), word.get().value(), depth + 1);
            }
            return new ChannelOperand.Field(resolve(fn, f.base(), depth), f.disp());
        }
        return ChannelOperand.UNKNOWN;
    }

    /** A word of a closure object and the function that stored it. */
    private record ClosureWord(FuncInfo builder, AbstractValue value) {}

    /**
     * When {@code base} (a value in {@code fn}) is a closure object, the value its builder
     * stored at {@code disp}: an object from runtime.newobject in this function whose word 0
     * is a function entry, or a captured word of this closure that is such an object in the
     * builder (a go wrapper's captured closure).
     */
    private Optional<ClosureWord> closureWord(FuncInfo fn, AbstractValue base, long disp, int depth) {
        if (depth >= MAX_DEPTH || disp == 0) {
            return Optional.empty();
        }
        if (base instanceof NewObject o) {
            Map<Long, AbstractValue> words = program.flow(fn).objectWords(o.allocPc());
            if (words.get(0L) instanceof Address code && program.function(code.address()).isPresent()
                    && !words.containsKey(Long.MIN_VALUE)) {
                AbstractValue w = words.get(disp);
                return w == null || w == AbstractValue.UNKNOWN ? Optional.empty() : Optional.of(new ClosureWord(fn, w));
            }
            return Optional.empty();
        }
        if (base instanceof Field f && f.base() instanceof Context) {
            Optional<ClosureWord> outer = builtWord(fn, f.disp());
            if (outer.isPresent()) {
                return closureWord(outer.get().builder(), outer.get().value(), disp, depth + 1);
            }
        }
        return Optional.empty();
    }

    /** What the builders of closure {@code fn} stored at {@code offset} of its funcval, as an operand. */
    private ChannelOperand captured(FuncInfo fn, long offset, int depth) {
        if (depth >= MAX_DEPTH) {
            return ChannelOperand.UNKNOWN;
        }
        long key = fn.entry() * 31 + offset;
        ChannelOperand memo = capturedMemo.get(key);
        if (memo != null) {
            return memo;
        }
        ChannelOperand out = builtWord(fn, offset).map(w -> resolve(w.builder(), w.value(), depth + 1))
                .orElse(ChannelOperand.UNKNOWN);
        capturedMemo.put(key, out);
        return out;
    }

    /**
     * The word at {@code offset} of closure {@code closure}'s funcval as every construction of it
     * stores it: a heap closure (runtime.newobject, word 0 set to the closure's entry) or a
     * stack closure (a frame slot holding the entry; the captured words above it, merged over
     * all stores of the builder). Empty unless exactly one builder function builds it and all
     * its constructions agree.
     */
    private Optional<ClosureWord> builtWord(FuncInfo closure, long offset) {
        List<FuncInfo> builders = program.builders(closure.entry());
        if (builders.size() != 1 || offset <= 0) {
            return Optional.empty();
        }
        FuncInfo b = builders.get(0);
        ClosureFlow flow = program.flow(b);
        AbstractValue found = null;
        int constructions = 0;
        for (Map<Long, AbstractValue> words : flow.objects().values()) {
            if (words.get(0L) instanceof Address a && a.address() == closure.entry()) {
                constructions++;
                AbstractValue w = words.containsKey(Long.MIN_VALUE) ? AbstractValue.UNKNOWN
                        : words.getOrDefault(offset, AbstractValue.UNKNOWN);
                found = found == null || found.equals(w) ? w : AbstractValue.UNKNOWN;
            }
        }
        for (Map.Entry<Long, AbstractValue> s : flow.frameStores().entrySet()) {
            if (s.getValue() instanceof Address a && a.address() == closure.entry()) {
                constructions++;
                AbstractValue w = flow.frameStore(s.getKey() + offset);
                found = found == null || found.equals(w) ? w : AbstractValue.UNKNOWN;
            }
        }
        if (constructions == 0 || found == null || found == AbstractValue.UNKNOWN) {
            return Optional.empty();
        }
        return Optional.of(new ClosureWord(b, found));
    }
}
