package dev.chanscope.binary;

import dev.chanscope.binary.AbstractValue.Address;
import dev.chanscope.binary.AbstractValue.Context;
import dev.chanscope.binary.AbstractValue.Field;
import dev.chanscope.binary.AbstractValue.NewObject;
import dev.chanscope.binary.AbstractValue.StackAddress;
import dev.chanscope.binary.Instruction.Flow;
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
 */
final class ClosureFlow {

    /** How the analysis treats a direct call. */
    enum CallKind {
        /** runtime.newobject: the first argument register returns a fresh object. */
        NEW_OBJECT,
        /** runtime.gcWriteBarrierN: preserves every register but R11 and touches no stack slot. */
        WRITE_BARRIER,
        /** anything else */
        OTHER
    }

    /** What the analysis needs to know about call targets. */
    interface Calls {
        CallKind kind(long target);

        /** Bytes of the callee's argument area in the caller's frame (its spill slots), or -1 when unknown. */
        int argumentBytes(long target);
    }

    private static final int MAX_FIELD_DEPTH = 2;

    private final List<Instruction> code;
    private final CallingConvention cc;
    private final Calls calls;
    private final Map<Long, AbstractValue[]> registersAtCall = new HashMap<>();
    private final Map<Long, AbstractValue> indirectTarget = new HashMap<>();
    private final Map<Long, Map<Long, AbstractValue>> objectWords = new HashMap<>();

    private ClosureFlow(List<Instruction> code, CallingConvention cc, Calls calls) {
        this.code = code;
        this.cc = cc;
        this.calls = calls;
    }

    /** Runs the analysis over {@code code}, one function's instructions in address order. */
    static ClosureFlow analyze(List<Instruction> code, CallingConvention cc, Calls calls) {
        ClosureFlow f = new ClosureFlow(code, cc, calls);
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
            case CALL_INDIRECT -> clobberForCall(s, -1, true);
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
        } else if (e instanceof Effect.Load l) {
            set(s, l.dst(), load(s, l.base(), l.disp()));
        } else if (e instanceof Effect.Store st) {
            store(s, st.base(), st.disp(),
                    st.src() < 0 ? AbstractValue.UNKNOWN : st.src() == sp ? new StackAddress(0) : s.regs[st.src()]);
        } else if (e instanceof Effect.Clobber c) {
            set(s, c.reg(), AbstractValue.UNKNOWN);
        } else if (e instanceof Effect.Scribble w) {
            scribble(s, w.base(), w.disp(), w.size());
        } else if (e instanceof Effect.CallThrough t) {
            indirectTarget.put(in.pc(), t.viaMemory()
                    ? (t.base() < 0 ? AbstractValue.UNKNOWN : load(s, t.base(), t.disp()))
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

    private AbstractValue load(State s, int base, long disp) {
        Long slot = slot(s, base, disp);
        if (slot != null) {
            return s.slots.getOrDefault(slot, AbstractValue.UNKNOWN);
        }
        if (base < 0) {
            return AbstractValue.UNKNOWN;
        }
        AbstractValue b = s.regs[base];
        if (b instanceof Context || (b instanceof Field f && f.depth() < MAX_FIELD_DEPTH)) {
            return new Field(b, disp);
        }
        return AbstractValue.UNKNOWN;
    }

    private void store(State s, int base, long disp, AbstractValue v) {
        Long slot = slot(s, base, disp);
        if (slot != null) {
            dropSlots(s, slot, 8);
            if (v != AbstractValue.UNKNOWN) {
                s.slots.put(slot, v);
            }
            return;
        }
        if (base >= 0 && s.regs[base] instanceof NewObject o) {
            Map<Long, AbstractValue> words = objectWords.computeIfAbsent(o.allocPc(), k -> new HashMap<>());
            AbstractValue old = words.get(disp);
            words.put(disp, old == null || old.equals(v) ? v : AbstractValue.UNKNOWN);
        }
    }

    private void scribble(State s, int base, long disp, int size) {
        if (base < 0) {
            return;
        }
        Long slot = slot(s, base, disp);
        boolean stack = base == cc.stackPointer() || s.regs[base] instanceof StackAddress;
        if (stack) {
            if (size < 0) {
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
        switch (calls.kind(in.target())) {
            case WRITE_BARRIER -> set(s, 11, AbstractValue.UNKNOWN);
            case NEW_OBJECT -> {
                clobberForCall(s, calls.argumentBytes(in.target()), false);
                s.regs[arg] = new NewObject(in.pc());
            }
            case OTHER -> clobberForCall(s, -1, true);
        }
    }

    /** A call: dead registers become unknown, and the stack slots the callee may write are dropped. */
    private void clobberForCall(State s, int argumentBytes, boolean allSlots) {
        for (int r = 0; r < s.regs.length; r++) {
            if ((cc.preserved() & (1L << r)) == 0) {
                s.regs[r] = AbstractValue.UNKNOWN;
            }
        }
        if (allSlots || argumentBytes < 0) {
            s.slots.clear();
        } else {
            s.slots.keySet().removeIf(k -> k < argumentBytes);
        }
    }
}
