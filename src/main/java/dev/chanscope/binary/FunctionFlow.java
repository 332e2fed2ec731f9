package dev.chanscope.binary;

import dev.chanscope.arch.Instruction;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The control flow of one function's machine code, from the decoder's instruction kinds: which
 * instruction follows which. It answers the two questions the diagnosis asks about time, both
 * conservatively (when the code does not show it, the answer is the one that claims nothing):
 * whether every way out of the function passes one of a set of calls ({@link #everyExitPasses}),
 * and whether an instruction can be reached again after one of a set of calls
 * ({@link #reachableAfter}).
 *
 * <p>A jump through a register (a jump table) is taken to leave the function for the first
 * question and to reach every instruction for the second. A call to a function that never
 * returns ({@code runtime.gopanic}, the runtime's panic helpers, {@code runtime.throw}) ends its
 * path.
 */
public final class FunctionFlow {
    private final String name;
    private final long entry;
    private final long end;
    private final List<Instruction> ins;
    private final Map<Long, Integer> index = new HashMap<>();
    private final BitSet noReturn = new BitSet();

    /**
     * @param noReturnTarget true for a call target that does not return (a panic)
     */
    public FunctionFlow(String name, long entry, long end, List<Instruction> ins, LongPredicate noReturnTarget) {
        this.name = name;
        this.entry = entry;
        this.end = end;
        this.ins = List.copyOf(ins);
        for (int i = 0; i < this.ins.size(); i++) {
            Instruction x = this.ins.get(i);
            index.put(x.pc(), i);
            if (x.flow() == Instruction.Flow.CALL && noReturnTarget.test(x.target())) {
                noReturn.set(i);
            }
        }
    }

    public String name() {
        return name;
    }

    public long entry() {
        return entry;
    }

    public boolean contains(long pc) {
        return pc >= entry && pc < end;
    }

    public List<Instruction> instructions() {
        return ins;
    }

    /** The instruction that starts at {@code pc}. */
    public Optional<Instruction> at(long pc) {
        Integer i = index.get(pc);
        return i == null ? Optional.empty() : Optional.of(ins.get(i));
    }

    /** The CALL whose return address is {@code returnPc} (the instruction just before it). */
    public Optional<Instruction> callReturningTo(long returnPc) {
        Integer i = index.get(returnPc);
        if (i == null || i == 0) {
            return Optional.empty();
        }
        Instruction c = ins.get(i - 1);
        return c.flow() == Instruction.Flow.CALL || c.flow() == Instruction.Flow.CALL_INDIRECT
                ? Optional.of(c) : Optional.empty();
    }

    private static final int EXIT = -1;
    private static final int ANYWHERE = -2;

    /** Successors of instruction i: indices, {@link #EXIT} for leaving, {@link #ANYWHERE} for unknown. */
    private int[] successors(int i) {
        Instruction x = ins.get(i);
        int next = i + 1 < ins.size() ? i + 1 : EXIT;
        switch (x.flow()) {
            case NEXT:
            case CALL_INDIRECT:
                return new int[] {next};
            case CALL:
                return noReturn.get(i) ? new int[0] : new int[] {next};
            case JUMP: {
                Integer t = index.get(x.target());
                return new int[] {t == null ? EXIT : t}; // outside the function: a tail call
            }
            case BRANCH: {
                Integer t = index.get(x.target());
                return new int[] {t == null ? EXIT : t, next};
            }
            case JUMP_INDIRECT:
                return new int[] {ANYWHERE};
            case RETURN:
                return new int[] {EXIT};
            default:
                return new int[0];
        }
    }

    /**
     * True when every path from the entry to a return passes an instruction whose pc is in
     * {@code passes}: the function cannot return without having executed one of them. False
     * when the code does not show it (a jump table counts as a way out).
     */
    public boolean everyExitPasses(Set<Long> passes) {
        return !ins.isEmpty() && !reachesFromEntry(EXIT, passes);
    }

    /**
     * True when control can reach the instruction at {@code target} after returning from one of
     * the calls at {@code from} (their next instructions), or when the code does not show that it
     * cannot (a jump table on the way).
     */
    public boolean reachableAfter(Set<Long> from, long target) {
        Integer t = index.get(target);
        if (t == null) {
            return true;
        }
        BitSet seen = new BitSet(ins.size());
        Deque<Integer> work = new ArrayDeque<>();
        for (long pc : from) {
            Integer i = index.get(pc);
            if (i == null) {
                return true;
            }
            for (int s : successors(i)) {
                if (s == ANYWHERE || s == t) {
                    return true;
                }
                if (s >= 0 && !seen.get(s)) {
                    seen.set(s);
                    work.push(s);
                }
            }
        }
        return reaches(work, seen, t, Set.of());
    }

    /**
     * True when every path from the entry to the instruction at {@code target} passes an
     * instruction in {@code passes}: whoever is at {@code target} has executed one of them in
     * this call. False when the code does not show it.
     */
    public boolean everyPathToPasses(long target, Set<Long> passes) {
        Integer t = index.get(target);
        return t != null && !ins.isEmpty() && !reachesFromEntry(t, passes);
    }

    private boolean reachesFromEntry(int target, Set<Long> blocked) {
        BitSet seen = new BitSet(ins.size());
        Deque<Integer> work = new ArrayDeque<>();
        work.push(0);
        seen.set(0);
        return reaches(work, seen, target, blocked);
    }

    /**
     * The one search of this class: whether a path from the instructions on {@code work}
     * reaches {@code target} (an instruction's index, or EXIT for a return) without going past
     * an instruction in {@code blocked}. A jump table counts as reaching it: the code does not
     * show that it cannot.
     */
    private boolean reaches(Deque<Integer> work, BitSet seen, int target, Set<Long> blocked) {
        while (!work.isEmpty()) {
            int i = work.pop();
            if (i == target) {
                return true;
            }
            if (blocked.contains(ins.get(i).pc())) {
                continue;
            }
            for (int s : successors(i)) {
                if (s == ANYWHERE || s == target) {
                    return true;
                }
                if (s >= 0 && !seen.get(s)) {
                    seen.set(s);
                    work.push(s);
                }
            }
        }
        return false;
    }
}
