package dev.chanscope.binary;

import dev.chanscope.arch.CallingConvention;
import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.arch.Instruction.Flow;
import dev.chanscope.binary.AbstractValue.Address;
import dev.chanscope.binary.AbstractValue.Context;
import dev.chanscope.binary.AbstractValue.Field;
import dev.chanscope.binary.AbstractValue.NewObject;
import dev.chanscope.binary.AbstractValue.StackAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A forward dataflow over one function's basic blocks that follows funcvals: PC-relative
 * addresses (a static funcval, a function entry), objects fresh from runtime.newobject and the
 * words stored into them (a heap closure: word 0 is the code pointer, the rest its captured
 * variables), register moves and spills to stack slots, and loads through the closure context
 * register. At merge points a register keeps a value only when every path agrees.
 *
 * <p>What it yields: the argument registers at every direct call (for runtime.newproc: the
 * goroutine's funcval; for runtime.selectgo: the constant numbers of send and receive cases), the value each indirect call goes through, and the
 * words stored into each fresh object.
 *
 * <p>Assumptions, all of them conservative except the second: a call clobbers every register the
 * ABI does not preserve and every stack slot (except the allocation and write-barrier helpers,
 * which touch only their own argument area and R11); a store through a pointer that is not
 * derived from SP in this function does not write this function's stack slots (Go code that
 * passes a slot's address to a callee is covered by the previous rule).
 *
 * <p><b>Operand mode</b> ({@link #analyzeOperands}) follows where a channel argument came from:
 * the argument registers start as {@link AbstractValue.Param}, loads through any known pointer
 * become {@link Field}s, a call's first result register becomes a {@link AbstractValue.CallResult},
 * a load from a slot with no known value is the local itself ({@link AbstractValue.SlotLoad}),
 * and the {@link Frame} says which slots a callee cannot write, so a spilled receiver survives
 * the calls between its spill and its reloads.
 */
final class ClosureFlow {

    /** How the analysis treats a direct call. */
    enum CallKind {
        /**
         * runtime.newobject, or the allocator the compiler calls instead ({@link Allocators}):
         * the first argument register returns a fresh object.
         */
        NEW_OBJECT,
        /** runtime.gcWriteBarrierN: preserves every register but R11 and touches no stack slot. */
        WRITE_BARRIER,
        /**
         * The race detector's hooks (runtime.raceread, racewrite, racefuncenter, ...) that -race
         * puts between a closure's allocation and its use: they take their arguments in
         * registers and write none of the caller's stack slots beyond their own argument area.
         */
        RACE_HOOK,
        /** anything else */
        OTHER
    }

    /** What the analysis needs to know about call targets. */
    interface Calls {
        CallKind kind(long target);

        /** Bytes of the callee's argument area in the caller's frame (its spill slots), or -1 when unknown. */
        int argumentBytes(long target);

        /**
         * The register holding the destination a bulk memory helper writes from upward
         * (runtime.duffzero, memmove, typedmemmove, ...), -1 for any other callee. Operand mode
         * drops the stack slots from that address up: the helper may write a local the code
         * never took the address of.
         */
        default int bulkDestination(long target) {
            return -1;
        }
    }

    /**
     * The frame of the analysed function, for operand mode: frame offsets (from SP + frame
     * size, where the return address is) make slots comparable across the prologue, and tell
     * which slots survive a call.
     */
    interface Frame {
        /** Bytes between SP and the return address slot at {@code pc} (the pclntab's pcsp table). */
        long size(long pc);

        /** True when no callee can write the 8-byte slot at {@code frameOffset}. */
        boolean keptAcrossCalls(long frameOffset);
    }

    private static final int MAX_FIELD_DEPTH = 2;
    /** Operand mode: {@code a.b.c.ch} through a parameter is four loads. */
    private static final int MAX_OPERAND_DEPTH = 4;

    private final List<Instruction> code;
    private final CallingConvention cc;
    private final Calls calls;
    private final Map<Long, AbstractValue[]> registersAtCall = new HashMap<>();
    private final Map<Long, AbstractValue> indirectTarget = new HashMap<>();
    private final Map<Long, Map<Long, AbstractValue>> objectWords = new HashMap<>();
    /** Operand mode: null in funcval mode. */
    private final Frame frame;
    /** Operand mode: the stack slots (by SP offset) known just before each direct call. */
    private final Map<Long, Map<Long, AbstractValue>> slotsAtCall = new HashMap<>();
    /** Operand mode: every store into a frame slot merged over the function, by frame offset. */
    private final Map<Long, AbstractValue> frameStores = new HashMap<>();

    private ClosureFlow(List<Instruction> code, CallingConvention cc, Calls calls, Frame frame) {
        this.code = code;
        this.cc = cc;
        this.calls = calls;
        this.frame = frame;
    }

    /** Runs the analysis over {@code code}, one function's instructions in address order. */
    static ClosureFlow analyze(List<Instruction> code, CallingConvention cc, Calls calls) {
        ClosureFlow f = new ClosureFlow(code, cc, calls, null);
        f.run();
        return f;
    }

    /** Runs the analysis in operand mode (see the class comment). */
    static ClosureFlow analyzeOperands(List<Instruction> code, CallingConvention cc, Calls calls, Frame frame) {
        ClosureFlow f = new ClosureFlow(code, cc, calls, frame);
        f.run();
        return f;
    }

    /** The value of integer argument {@code i} just before the direct call at {@code pc}. */
    AbstractValue argumentAt(long pc, int i) {
        AbstractValue[] regs = registersAtCall.get(pc);
        return regs == null ? AbstractValue.UNKNOWN : regs[cc.argument(i)];
    }

    /** The value an indirect call at {@code pc} goes through. */
    AbstractValue indirectTargetAt(long pc) {
        return indirectTarget.getOrDefault(pc, AbstractValue.UNKNOWN);
    }

    /** The words stored into the object allocated at {@code allocPc}, by offset (UNKNOWN where stores disagree). */
    Map<Long, AbstractValue> objectWords(long allocPc) {
        return objectWords.getOrDefault(allocPc, Map.of());
    }

    /** Every object allocated here with its stored words. */
    Map<Long, Map<Long, AbstractValue>> objects() {
        return objectWords;
    }

    /**
     * Operand mode: the value of the 8-byte stack word at {@code spOffset} (SP-relative at the
     * call) just before the direct call at {@code pc}; UNKNOWN when not known.
     */
    AbstractValue slotAt(long pc, long spOffset) {
        Map<Long, AbstractValue> slots = slotsAtCall.get(pc);
        return slots == null ? AbstractValue.UNKNOWN : slots.getOrDefault(spOffset, AbstractValue.UNKNOWN);
    }

    /**
     * Operand mode: the value every store into the frame slot at {@code frameOffset} agrees on
     * (flow-insensitive, over the whole function), UNKNOWN when they disagree or there is none.
     * Vector and partial writes are not counted: the compiler zeroes a closure struct on the
     * stack with a vector store before it stores its words.
     */
    AbstractValue frameStore(long frameOffset) {
        return frameStores.getOrDefault(frameOffset, AbstractValue.UNKNOWN);
    }

    /** Operand mode: the frame offsets with a value every store agrees on. */
    Map<Long, AbstractValue> frameStores() {
        return frameStores;
    }

    // ---- the dataflow ----

    private static final class State {
        final AbstractValue[] regs;
        final Map<Long, AbstractValue> slots;

        State(int n) {
            regs = new AbstractValue[n];
            Arrays.fill(regs, AbstractValue.UNKNOWN);
            slots = new HashMap<>();
        }

        State(State o) {
            regs = o.regs.clone();
            slots = new HashMap<>(o.slots);
        }

        /** Meets {@code o} into this state; true when this state changed. */
        boolean meet(State o) {
            boolean changed = false;
            for (int r = 0; r < regs.length; r++) {
                if (!regs[r].equals(o.regs[r]) && regs[r] != AbstractValue.UNKNOWN) {
                    regs[r] = AbstractValue.UNKNOWN;
                    changed = true;
                }
            }
            for (Iterator<Map.Entry<Long, AbstractValue>> it = slots.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, AbstractValue> e = it.next();
                if (!e.getValue().equals(o.slots.get(e.getKey()))) {
                    it.remove();
                    changed = true;
                }
            }
            return changed;
        }
    }

    private void run() {
        int n = code.size();
        if (n == 0) {
            return;
        }
        long entry = code.get(0).pc();
        long end = code.get(n - 1).end();
        // Block leaders: the entry, every branch target inside the function, every instruction after a block end.
        BitSet leader = new BitSet(n);
        leader.set(0);
        for (int i = 0; i < n; i++) {
            Instruction in = code.get(i);
            if (in.endsBlock() && i + 1 < n) {
                leader.set(i + 1);
            }
            if ((in.flow() == Flow.JUMP || in.flow() == Flow.BRANCH) && in.target() >= entry && in.target() < end) {
                int t = indexOf(in.target());
                if (t >= 0) {
                    leader.set(t);
                }
            }
        }
        int[] blockOf = new int[n];
        int[] starts = leader.stream().toArray();
        for (int b = 0; b < starts.length; b++) {
            int to = b + 1 < starts.length ? starts[b + 1] : n;
            Arrays.fill(blockOf, starts[b], to, b);
        }
        State[] in = new State[starts.length];
        boolean[] reached = new boolean[starts.length];
        Deque<Integer> work = new ArrayDeque<>();
        State first = new State(cc.registers());
        first.regs[cc.closureContext()] = new Context();
        if (frame != null) {
            for (int i = 0; i < cc.integerArguments().length; i++) {
                first.regs[cc.argument(i)] = new AbstractValue.Param(i);
            }
        }
        in[0] = first;
        reached[0] = true;
        work.add(0);
        // Blocks no known edge reaches start from nothing known: jump-table targets, the
        // deferreturn call a recovered panic resumes at. Alignment padding after an
        // unconditional jump (NOPs) is skipped, or it would spoil the block it falls into.
        boolean[] hasPred = predecessors(starts, blockOf, entry, end);
        for (int b = 1; b < starts.length; b++) {
            int to = b + 1 < starts.length ? starts[b + 1] : n;
            if (!hasPred[b] && !padding(starts[b], to)) {
                in[b] = new State(cc.registers());
                reached[b] = true;
                work.add(b);
            }
        }
        boolean[] queued = new boolean[starts.length];
        for (int b : work) {
            queued[b] = true;
        }
        while (!work.isEmpty()) {
            int b = work.poll();
            queued[b] = false;
            State s = new State(in[b]);
            int to = b + 1 < starts.length ? starts[b + 1] : n;
            for (int i = starts[b]; i < to; i++) {
                step(code.get(i), s);
            }
            Instruction last = code.get(to - 1);
            int[] succ = successors(last, to, blockOf, entry, end);
            for (int t : succ) {
                // The only jump back to the entry is the restart after runtime.morestack, which
                // re-enters with the registers of the first entry (arguments and context).
                if (t <= 0) {
                    continue;
                }
                boolean changed;
                if (!reached[t]) {
                    in[t] = new State(s);
                    reached[t] = true;
                    changed = true;
                } else {
                    changed = in[t].meet(s);
                }
                if (changed && !queued[t]) {
                    queued[t] = true;
                    work.add(t);
                }
            }
        }
    }

    private boolean padding(int from, int to) {
        for (int i = from; i < to; i++) {
            Instruction in = code.get(i);
            if (!in.effects().isEmpty() || (in.flow() != Flow.NEXT && in.flow() != Flow.STOP)) {
                return false;
            }
        }
        return true;
    }

    private boolean[] predecessors(int[] starts, int[] blockOf, long entry, long end) {
        boolean[] has = new boolean[starts.length];
        for (int b = 0; b < starts.length; b++) {
            int to = b + 1 < starts.length ? starts[b + 1] : code.size();
            for (int t : successors(code.get(to - 1), to, blockOf, entry, end)) {
                if (t >= 0) {
                    has[t] = true;
                }
            }
        }
        return has;
    }

    private int[] successors(Instruction last, int nextIndex, int[] blockOf, long entry, long end) {
        int fall = nextIndex < code.size() ? blockOf[nextIndex] : -1;
        int taken = -1;
        if ((last.flow() == Flow.JUMP || last.flow() == Flow.BRANCH) && last.target() >= entry && last.target() < end) {
            int t = indexOf(last.target());
            taken = t >= 0 ? blockOf[t] : -1;
        }
        return switch (last.flow()) {
            case JUMP -> new int[] {taken};
            case BRANCH -> new int[] {taken, fall};
            case JUMP_INDIRECT, RETURN, STOP -> new int[0];
            default -> new int[] {fall};
        };
    }

    private int indexOf(long pc) {
        int lo = 0;
        int hi = code.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long p = code.get(mid).pc();
            if (p == pc) {
                return mid;
            }
            if (p < pc) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    // ---- transfer functions ----

    private void step(Instruction in, State s) {
        for (Effect e : in.effects()) {
            apply(in, e, s);
        }
        switch (in.flow()) {
            case CALL -> call(in, s);
            case CALL_INDIRECT -> clobberForCall(s, -1, true, in.pc());
            default -> { }
        }
    }

    private void apply(Instruction in, Effect e, State s) {
        int sp = cc.stackPointer();
        if (e instanceof Effect.SetConstant c) {
            set(s, c.reg(), new AbstractValue.Constant(c.value()));
        } else if (e instanceof Effect.SetAddress a) {
            set(s, a.reg(), new Address(a.address(), in.pc()));
        } else if (e instanceof Effect.AddOffset a) {
            set(s, a.dst(), offset(s, a.base(), a.disp()));
        } else if (e instanceof Effect.Move m) {
            set(s, m.dst(), m.src() == sp ? new StackAddress(0) : s.regs[m.src()]);
        } else if (e instanceof Effect.Move32 m) {
            set(s, m.dst(), s.regs[m.src()] instanceof AbstractValue.Constant c
                    ? new AbstractValue.Constant(c.value() & 0xffffffffL) : AbstractValue.UNKNOWN);
        } else if (e instanceof Effect.Load l) {
            set(s, l.dst(), load(s, l.base(), l.disp(), in.pc()));
        } else if (e instanceof Effect.LoadGlobal l) {
            set(s, l.dst(), frame == null ? AbstractValue.UNKNOWN : new Field(new Address(l.address(), in.pc()), 0));
        } else if (e instanceof Effect.Store st) {
            store(s, st.base(), st.disp(),
                    st.src() < 0 ? AbstractValue.UNKNOWN : st.src() == sp ? new StackAddress(0) : s.regs[st.src()],
                    in.pc());
        } else if (e instanceof Effect.Clobber c) {
            set(s, c.reg(), AbstractValue.UNKNOWN);
        } else if (e instanceof Effect.Scribble w) {
            scribble(s, w.base(), w.disp(), w.size(), in.pc());
        } else if (e instanceof Effect.CallThrough t) {
            indirectTarget.put(in.pc(), t.viaMemory()
                    ? (t.base() < 0 ? AbstractValue.UNKNOWN : load(s, t.base(), t.disp(), in.pc()))
                    : s.regs[t.reg()]);
        }
    }

    private void set(State s, int reg, AbstractValue v) {
        if (reg == cc.stackPointer()) {
            // SP moved (prologue, epilogue, PUSH/POP): slot offsets no longer mean what they meant.
            s.slots.clear();
            for (int r = 0; r < s.regs.length; r++) {
                if (s.regs[r] instanceof StackAddress) {
                    s.regs[r] = AbstractValue.UNKNOWN;
                }
            }
            return;
        }
        s.regs[reg] = v;
    }

    private AbstractValue offset(State s, int base, long disp) {
        if (base == cc.stackPointer()) {
            return new StackAddress(disp);
        }
        AbstractValue v = s.regs[base];
        if (v instanceof StackAddress a) {
            return new StackAddress(a.offset() + disp);
        }
        if (v instanceof Address a) {
            return new Address(a.address() + disp, a.pc());
        }
        return disp == 0 ? v : AbstractValue.UNKNOWN;
    }

    /** The stack slot offset a memory operand names, or null when it is not in this frame. */
    private Long slot(State s, int base, long disp) {
        if (base == cc.stackPointer()) {
            return disp;
        }
        if (base >= 0 && s.regs[base] instanceof StackAddress a) {
            return a.offset() + disp;
        }
        return null;
    }

    private AbstractValue load(State s, int base, long disp, long pc) {
        Long slot = slot(s, base, disp);
        if (slot != null) {
            AbstractValue v = s.slots.get(slot);
            if (v != null) {
                return v;
            }
            return frame == null ? AbstractValue.UNKNOWN : new AbstractValue.SlotLoad(slot - frame.size(pc));
        }
        if (base < 0) {
            return AbstractValue.UNKNOWN;
        }
        AbstractValue b = s.regs[base];
        if (frame != null) {
            boolean pointer = b instanceof Context || b instanceof AbstractValue.Param
                    || b instanceof AbstractValue.CallResult || b instanceof AbstractValue.SlotLoad
                    || b instanceof NewObject || b instanceof Address;
            return pointer || (b instanceof Field f && f.depth() < MAX_OPERAND_DEPTH) ? new Field(b, disp)
                    : AbstractValue.UNKNOWN;
        }
        if (b instanceof Context || (b instanceof Field f && f.depth() < MAX_FIELD_DEPTH)) {
            return new Field(b, disp);
        }
        return AbstractValue.UNKNOWN;
    }

    private void store(State s, int base, long disp, AbstractValue v, long pc) {
        Long slot = slot(s, base, disp);
        if (slot != null) {
            dropSlots(s, slot, 8);
            if (v != AbstractValue.UNKNOWN) {
                s.slots.put(slot, v);
            }
            if (frame != null) {
                frameStores.merge(slot - frame.size(pc), v, (x, y) -> x.equals(y) ? x : AbstractValue.UNKNOWN);
            }
            return;
        }
        if (base >= 0 && s.regs[base] instanceof NewObject o) {
            Map<Long, AbstractValue> words = objectWords.computeIfAbsent(o.allocPc(), k -> new HashMap<>());
            AbstractValue old = words.get(disp);
            words.put(disp, old == null || old.equals(v) ? v : AbstractValue.UNKNOWN);
        }
    }

    private void scribble(State s, int base, long disp, int size, long pc) {
        if (base < 0) {
            return;
        }
        Long slot = slot(s, base, disp);
        boolean stack = base == cc.stackPointer() || s.regs[base] instanceof StackAddress;
        if (stack) {
            if (size < 0 && frame != null && slot != null) {
                // String stores and the bulk helpers write upward (DF is clear in Go code), within
                // one local: never past varp (frame offset -8) into the saved BP, the return
                // address and the argument area.
                long top = frame.size(pc) - 8;
                s.slots.keySet().removeIf(k -> k + 8 > slot && (slot >= top || k < top));
            } else if (size < 0) {
                s.slots.clear();
            } else {
                dropSlots(s, slot, size);
            }
            return;
        }
        if (s.regs[base] instanceof NewObject o) {
            Map<Long, AbstractValue> words = objectWords.computeIfAbsent(o.allocPc(), k -> new HashMap<>());
            if (size < 0) {
                words.replaceAll((k, v) -> AbstractValue.UNKNOWN);
                words.put(Long.MIN_VALUE, AbstractValue.UNKNOWN); // marks the object as written anywhere
            } else {
                for (long k = disp - 7; k < disp + size; k++) {
                    if (words.containsKey(k)) {
                        words.put(k, AbstractValue.UNKNOWN);
                    }
                }
                words.put(disp, AbstractValue.UNKNOWN);
            }
        }
    }

    /** Removes slots overlapping [at, at + size). */
    private static void dropSlots(State s, long at, int size) {
        s.slots.keySet().removeIf(k -> k < at + size && k + 8 > at);
    }

    private void call(Instruction in, State s) {
        int arg = cc.firstArgument();
        registersAtCall.put(in.pc(), s.regs.clone());
        if (frame != null) {
            slotsAtCall.put(in.pc(), new HashMap<>(s.slots));
        }
        switch (calls.kind(in.target())) {
            case WRITE_BARRIER -> {
                for (int r = 0; r < s.regs.length; r++) {
                    if ((cc.writeBarrierClobbers() & (1L << r)) != 0) {
                        set(s, r, AbstractValue.UNKNOWN);
                    }
                }
            }
            case NEW_OBJECT -> {
                clobberForCall(s, calls.argumentBytes(in.target()), false, in.pc());
                s.regs[arg] = new NewObject(in.pc());
            }
            case RACE_HOOK -> clobberForCall(s, Math.max(0, calls.argumentBytes(in.target())), false, in.pc());
            case OTHER -> {
                int dst = frame == null ? -1 : calls.bulkDestination(in.target());
                if (dst >= 0) {
                    scribble(s, dst, 0, -1, in.pc());
                }
                clobberForCall(s, -1, true, in.pc());
                if (frame != null) {
                    s.regs[arg] = new AbstractValue.CallResult(in.pc());
                }
            }
        }
    }

    /**
     * A call: dead registers become unknown, and the stack slots the callee may write are
     * dropped (in operand mode, those the {@link Frame} does not keep).
     */
    private void clobberForCall(State s, int argumentBytes, boolean allSlots, long pc) {
        for (int r = 0; r < s.regs.length; r++) {
            if ((cc.preserved() & (1L << r)) == 0) {
                s.regs[r] = AbstractValue.UNKNOWN;
            }
        }
        if (allSlots && frame != null) {
            long size = frame.size(pc);
            s.slots.keySet().removeIf(k -> !frame.keptAcrossCalls(k - size));
        } else if (allSlots || argumentBytes < 0) {
            s.slots.clear();
        } else {
            s.slots.keySet().removeIf(k -> k < argumentBytes);
        }
    }
}
