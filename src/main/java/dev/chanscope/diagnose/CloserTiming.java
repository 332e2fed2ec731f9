package dev.chanscope.diagnose;

import dev.chanscope.binary.BinaryFacts;
import dev.chanscope.binary.CallSite;
import dev.chanscope.binary.ChannelOp;
import dev.chanscope.binary.FunctionFlow;
import dev.chanscope.arch.Instruction;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.PhysicalFrame;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the core says about time for one closing site: whether it ran, has not run yet, or the
 * core cannot tell. Read from the goroutines' states and the machine code's control flow
 * (docs/patterns.md, "Decision rules"):
 *
 * <ul>
 * <li><b>ran</b>: a goroutine that has exited started in a function that cannot return without
 * passing the close (through the calls it makes, a few levels deep); or a live goroutine sits in
 * a function at a point that every path from the function's entry reaches only through the
 * close (it returned past it);</li>
 * <li><b>not yet</b>: every goroutine started from the roots that reach the close is alive, and
 * each is parked at a point that no call able to close the channel leads back to: this run has
 * not closed, and no earlier run exists.</li>
 * </ul>
 *
 * Both answers are conservative: a jump table, an indirect call, a stack that could not be read,
 * or a goroutine that already exited makes the answer "unknown".
 */
final class CloserTiming {
    enum Status { RAN, NOT_YET, UNKNOWN }

    record Timing(Status status, String why) {}

    /** How many calls deep "cannot return without passing the close" is followed. */
    static final int DEPTH = 4;

    private final DiagnosisInput in;
    private final BinaryFacts bin;

    CloserTiming(DiagnosisInput in) {
        this.in = in;
        this.bin = in.binary();
    }

    /** Every physical copy of the close statement {@code site} (inlining makes several). */
    private List<CallSite> copies(CallSite site) {
        return bin.sites(ChannelOp.CLOSE).stream().filter(s -> s.source().equals(site.source())).toList();
    }

    Timing of(CallSite site) {
        List<CallSite> copies = copies(site);
        Set<String> physicals = new LinkedHashSet<>();
        copies.forEach(c -> physicals.add(c.physical()));
        Set<Long> closePcs = new HashSet<>();
        copies.forEach(c -> closePcs.add(c.pc()));
        Set<String> mayReach = ancestors(physicals);
        Map<String, Boolean> memo = new HashMap<>();
        String where = site.source().location();
        // Ran: a goroutine that exited could not have returned without the close.
        for (Goroutine g : in.snapshot().goroutines()) {
            if (g.status().kind() != GoStatus.Kind.DEAD || g.startFunction().isEmpty()
                    || !mayReach.contains(g.startFunction())) {
                continue;
            }
            if (mustClose(g.startFunction(), closePcs, physicals, DEPTH, memo)) {
                return new Timing(Status.RAN, "goroutine " + g.id() + " (started in " + g.startFunction()
                        + ") has exited, and it cannot return without running the close at " + where);
            }
        }
        // Ran: a live goroutine went past the close in a frame that is still on its stack.
        for (Goroutine g : in.snapshot().goroutines()) {
            if (g.status().kind() == GoStatus.Kind.DEAD) {
                continue;
            }
            for (int i = 0; i < g.stack().size(); i++) {
                PhysicalFrame f = g.stack().get(i);
                if (!mayReach.contains(f.function()) || !bin.isUserFunction(f.function())) {
                    continue;
                }
                Optional<FunctionFlow> flow = bin.flow(f.function());
                boolean innermost = i == 0;
                Optional<Instruction> at = flow.flatMap(x -> innermost ? x.at(f.pc()) : x.callReturningTo(f.pc()));
                if (flow.isEmpty() || at.isEmpty()) {
                    continue;
                }
                Set<Long> passes = certainCloses(flow.get(), closePcs, physicals, DEPTH, memo);
                if (!passes.isEmpty() && flow.get().everyPathToPasses(at.get().pc(), passes)) {
                    String line = f.logical().isEmpty() ? "" : " (now at " + f.logical().get(f.logical().size() - 1)
                            .location() + ")";
                    return new Timing(Status.RAN, "goroutine " + g.id() + " is in " + f.function() + line
                            + ", which it reaches only after the close at " + where + " has run");
                }
            }
        }
        // Not yet: every goroutine that could run it is alive and parked before it. A log lists
        // only the goroutines still alive: one that ran the close and exited is not in it.
        if (in.log().isPresent()) {
            return new Timing(Status.UNKNOWN, "a log does not list the goroutines that exited: one of them may have"
                    + " run the close at " + where);
        }
        Set<String> roots = bin.rootsReaching(site.physical());
        if (roots.isEmpty()) {
            return new Timing(Status.UNKNOWN, "no goroutine root is known to reach the close at " + where);
        }
        List<Goroutine> runners = in.snapshot().goroutines().stream().filter(g -> roots.contains(rootOf(g))).toList();
        if (runners.isEmpty()) {
            return new Timing(Status.UNKNOWN, "no goroutine from " + String.join(", ", roots)
                    + " is in the core (it may have exited and been reused)");
        }
        StringBuilder parked = new StringBuilder();
        for (Goroutine g : runners) {
            if (g.status().kind() == GoStatus.Kind.DEAD) {
                return new Timing(Status.UNKNOWN, "goroutine " + g.id() + " (started in " + g.startFunction()
                        + ") has exited; it may have run the close at " + where);
            }
            if (g.stackError().isPresent() || g.stack().isEmpty()) {
                return new Timing(Status.UNKNOWN, "the stack of goroutine " + g.id() + " could not be read");
            }
            Optional<String> before = notYet(g, mayReach, closePcs);
            if (before.isEmpty()) {
                return new Timing(Status.UNKNOWN, "goroutine " + g.id() + " may already have run the close at "
                        + where + ": from the close, its code can come back to where it waits");
            }
            if (parked.length() > 0) {
                parked.append("; ");
            }
            parked.append("goroutine ").append(g.id()).append(" is ").append(before.get());
        }
        return new Timing(Status.NOT_YET, parked + ", before the close at " + where
                + " (no path leads from the close back to where it waits)");
    }

    /**
     * When no frame of {@code g} can have come back from a call able to close the channel: a
     * description of where it waits. Frames of functions that cannot reach the close are skipped.
     */
    private Optional<String> notYet(Goroutine g, Set<String> mayReach, Set<Long> closePcs) {
        String where = null;
        for (int i = 0; i < g.stack().size(); i++) {
            PhysicalFrame f = g.stack().get(i);
            if (!mayReach.contains(f.function())) {
                continue;
            }
            Optional<FunctionFlow> flow = bin.flow(f.function());
            if (flow.isEmpty()) {
                return Optional.empty();
            }
            Optional<Instruction> at = i == 0 ? flow.get().at(f.pc()) : flow.get().callReturningTo(f.pc());
            if (at.isEmpty()) {
                return Optional.empty();
            }
            Set<Long> may = new HashSet<>();
            for (Instruction x : flow.get().instructions()) {
                if (x.flow() == Instruction.Flow.CALL_INDIRECT || closePcs.contains(x.pc())
                        || x.flow() == Instruction.Flow.CALL && bin.functionAt(x.target()).map(mayReach::contains)
                        .orElse(false)) {
                    may.add(x.pc());
                }
            }
            if (flow.get().reachableAfter(may, at.get().pc())) {
                return Optional.empty();
            }
            if (where == null && !f.logical().isEmpty()) {
                var l = f.logical().get(0);
                where = "waiting in " + l.function() + " at line " + l.line() + " (" + g.state() + ")";
            }
        }
        return Optional.of(where == null ? "waiting (" + g.state() + ")" : where);
    }

    /** The root a goroutine belongs to, named as {@link BinaryFacts#rootsReaching} names roots. */
    private String rootOf(Goroutine g) {
        if (g.startFunction().equals("runtime.main")) {
            return "main.main";
        }
        return bin.rootStartingIn(g.startFunction()).map(dev.chanscope.binary.GoRoot::name).orElse(g.startFunction());
    }

    /** The physical functions from which the close can be reached by calls (and closures they make). */
    private Set<String> ancestors(Set<String> physicals) {
        Set<String> out = new LinkedHashSet<>(physicals);
        Deque<String> work = new ArrayDeque<>(physicals);
        while (!work.isEmpty()) {
            for (String c : bin.callers(work.pop())) {
                if (out.add(c)) {
                    work.push(c);
                }
            }
        }
        return out;
    }

    /** The calls in {@code flow} after which the close has certainly run. */
    private Set<Long> certainCloses(FunctionFlow flow, Set<Long> closePcs, Set<String> physicals, int depth,
                                    Map<String, Boolean> memo) {
        Set<Long> out = new HashSet<>();
        for (Instruction x : flow.instructions()) {
            if (x.flow() != Instruction.Flow.CALL) {
                continue;
            }
            if (closePcs.contains(x.pc())) {
                out.add(x.pc());
                continue;
            }
            if (depth > 0) {
                Optional<String> callee = bin.functionAt(x.target());
                if (callee.isPresent() && !callee.get().equals(flow.name())
                        && mustClose(callee.get(), closePcs, physicals, depth - 1, memo)) {
                    out.add(x.pc());
                }
            }
        }
        return out;
    }

    /** True when {@code function} cannot return without the close having run (in it or in a callee). */
    private boolean mustClose(String function, Set<Long> closePcs, Set<String> physicals, int depth,
                              Map<String, Boolean> memo) {
        String key = function + "@" + depth;
        Boolean known = memo.get(key);
        if (known != null) {
            return known;
        }
        memo.put(key, false); // recursion
        boolean r = false;
        // A deferred close runs when the function that deferred it returns.
        boolean defers = physicals.stream().anyMatch(p -> CallSite.Wrapper.DEFER_WRAPPER
                == dev.chanscope.binary.BinaryScanner.wrapperOf(p) && Wrappers.enclosing(p).equals(function));
        if (defers) {
            r = true;
        } else {
            Optional<FunctionFlow> flow = bin.flow(function);
            if (flow.isPresent()) {
                Set<Long> passes = certainCloses(flow.get(), closePcs, physicals, depth, memo);
                r = !passes.isEmpty() && flow.get().everyExitPasses(passes);
            }
        }
        memo.put(key, r);
        return r;
    }
}
