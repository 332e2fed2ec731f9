package dev.chanscope.diagnose;

import dev.chanscope.binary.BinaryFacts;
import dev.chanscope.binary.CallSite;
import dev.chanscope.binary.ChannelOp;
import dev.chanscope.binary.ChannelOperand;
import dev.chanscope.diagnose.Evidence.Weight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sends on the closed channel that the closing function makes itself: in its own code, in a
 * function it calls, in a {@code select} send case, or in a closure it builds and hands to a
 * helper (the call graph's closure edges), up to {@link #DEPTH} calls away. Such a closer is a
 * sender, so the race is send-then-close, not a premature close by an outsider.
 *
 * <p>The channel is compared the way the closing sites are ranked: the machine code reads both
 * from the same field chain of the same struct type, or the same variable (strong); or, without
 * a comparable operand, the source names the same channel (supporting). When the machine code
 * shows two different channels, the send does not count whatever the names say.
 */
final class CloserSends {
    /**
     * Calls followed from the closing function. On the fixtures (docs/diagnosis.md) the closer's
     * own send is at most 2 calls away (a closure handed to a helper is one edge: the closure is
     * created in the closer); 3 leaves a margin without reaching into unrelated code.
     */
    static final int DEPTH = 3;

    enum Same { SAME, DIFFERENT, UNKNOWN }

    /** A send the closer makes, and how far from it. */
    record Found(CallSite send, int depth, boolean byCode, String how) {}

    private CloserSends() {
    }

    static Optional<Found> find(DiagnosisInput in, CallSite close) {
        BinaryFacts bin = in.binary();
        // An inlined close: the physical function holds code of its caller too, whose calls are
        // not the closer's. Follow the closer's own out-of-line body when the binary has one,
        // and take the sends inlined into the physical function from the closer itself.
        String logical = close.source().function();
        boolean inlined = !logical.equals(close.physical());
        Map<String, Integer> reached = !inlined ? reach(bin, close.physical())
                : bin.flow(logical).isPresent() ? reach(bin, logical) : inlinedReach(bin, close.physical(), logical);
        Optional<ChannelOperand> closed = bin.channelOperand(close).filter(ChannelOperand::known).map(ChannelOperand::resolved);
        Optional<String> closedExpr = in.source().closedExpression(close.source().file(), close.source().line());
        Found best = null;
        for (CallSite s : bin.sites()) {
            Integer depth = reached.get(s.physical());
            if (depth == null && inlined && s.physical().equals(close.physical())
                    && (s.source().function().equals(logical)
                    || s.inlinedInto().stream().anyMatch(p -> p.function().equals(logical)))) {
                depth = s.source().function().equals(logical) ? 0 : 1;
            }
            if (depth == null || !isSend(bin, s)) {
                continue;
            }
            // In the closer's own function, only what is written there (or inlined into it from
            // the closer's callees) is the closer's; an inlined copy elsewhere is another caller's.
            List<ChannelOperand> ops = s.op() == ChannelOp.SELECT ? bin.selectSendOperands(s)
                    : bin.channelOperand(s).map(List::of).orElse(List.of());
            Same code = Same.UNKNOWN;
            for (ChannelOperand o : ops) {
                Same x = closed.isPresent() ? same(closed.get(), o.resolved()) : Same.UNKNOWN;
                if (x == Same.SAME) {
                    code = Same.SAME;
                    break;
                }
                if (x == Same.DIFFERENT && code == Same.UNKNOWN) {
                    code = Same.DIFFERENT;
                }
            }
            int cases = s.op() == ChannelOp.SELECT ? bin.selectShape(s).map(x -> x.sends()).orElse(-1) : 1;
            if (code == Same.DIFFERENT && ops.size() != cases) {
                code = Same.UNKNOWN; // some send case of the select was not read
            }
            if (code == Same.DIFFERENT) {
                continue;
            }
            boolean byName = false;
            if (code == Same.UNKNOWN) {
                List<String> sent = in.source().sendTargets(s.source().file(), s.source().line());
                byName = closedExpr.isPresent() && sent.stream().map(SourceIndex::lastName)
                        .anyMatch(SourceIndex.lastName(closedExpr.get())::equals);
                if (!byName) {
                    continue;
                }
            }
            String kind = s.op() == ChannelOp.SELECT ? "a send case of the select" : "a send";
            String path = depth == 0 ? "in " + s.source().function()
                    : "in " + s.source().function() + ", which " + close.source().function() + " calls"
                    + (depth > 1 ? " (" + depth + " calls away)" : "");
            Found f = new Found(s, depth, code == Same.SAME, kind + " at line " + s.source().line() + " " + path);
            if (best == null || f.byCode && !best.byCode || f.byCode == best.byCode && f.depth < best.depth) {
                best = f;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The evidence for {@link #find}'s answer. */
    static Evidence evidence(CallSite close, Found f) {
        String closer = close.source().function();
        return new Evidence(f.byCode ? "closer-sends-through" : "closer-sends-by-name", closer
                + " sends on the channel itself (" + f.how + ") and then closes it at line " + close.source().line()
                + (f.byCode ? "; the machine code reads both from the same place" : "; the source names the same channel"),
                f.byCode ? Weight.STRONG : Weight.SUPPORTING);
    }

    private static boolean isSend(BinaryFacts bin, CallSite s) {
        return s.op() == ChannelOp.SEND || s.op() == ChannelOp.SELECT_NB_SEND
                || s.op() == ChannelOp.SELECT && bin.selectShape(s).map(x -> x.hasSend()).orElse(true);
    }

    /**
     * Physical functions reachable from {@code start} by calls, with their distance; and the
     * closures those functions build, unless a function they call starts a goroutine: a closure
     * handed to such a helper may run in the new goroutine (a safeGo(func() { ch <- v })), and
     * then its send is not the closer's.
     */
    private static Map<String, Integer> reach(BinaryFacts bin, String start) {
        Map<String, Integer> calls = reach(bin, start, false);
        java.util.Set<String> spawners = new java.util.HashSet<>();
        java.util.Set<String> unresolvedSpawners = new java.util.HashSet<>();
        for (CallSite g : bin.sites(ChannelOp.GO)) {
            spawners.add(g.physical());
            if (g.goTarget().isEmpty()) {
                unresolvedSpawners.add(g.physical());
            }
        }
        // A go statement whose target the scan did not resolve may start one of the closures.
        boolean helperSpawns = calls.keySet().stream().anyMatch(f -> !f.equals(start) && spawners.contains(f)
                || unresolvedSpawners.contains(f));
        return helperSpawns ? calls : reach(bin, start, true);
    }

    /**
     * For a closer inlined into {@code physical} without an out-of-line body: the functions its
     * inlined code calls (the calls whose inline chain holds the closer) and the closures it
     * builds, one call away, and what they reach.
     */
    private static Map<String, Integer> inlinedReach(BinaryFacts bin, String physical, String logical) {
        Map<String, Integer> out = new LinkedHashMap<>();
        java.util.Set<String> starts = new java.util.LinkedHashSet<>();
        bin.flow(physical).ifPresent(f -> {
            for (dev.chanscope.arch.Instruction x : f.instructions()) {
                if (x.flow() == dev.chanscope.arch.Instruction.Flow.CALL && bin.logicalAt(x.pc()).contains(logical)) {
                    bin.functionAt(x.target()).filter(bin::isUserFunction).ifPresent(starts::add);
                }
            }
        });
        String shortName = logical.substring(logical.lastIndexOf('.') + 1);
        for (String c : bin.callees(physical)) {
            if (closureOf(c, logical) || c.startsWith(physical + ".") && c.contains(shortName + ".func")) {
                starts.add(c);
            }
        }
        for (String st : starts) {
            if (dev.chanscope.binary.BinaryScanner.wrapperOf(st) == CallSite.Wrapper.GO_WRAPPER) {
                continue;
            }
            reach(bin, st).forEach((k, d) -> out.merge(k, d + 1, Math::min));
        }
        return out;
    }

    private static boolean closureOf(String closure, String maker) {
        return closure.startsWith(maker + ".func");
    }

    private static Map<String, Integer> reach(BinaryFacts bin, String start, boolean closures) {
        // A function a go statement starts runs in another goroutine: its sends are not the closer's.
        Map<String, java.util.Set<String>> started = new java.util.HashMap<>();
        for (dev.chanscope.binary.GoRoot r : bin.goRoots()) {
            r.spawner().ifPresent(sp -> {
                started.computeIfAbsent(sp, k -> new java.util.HashSet<>()).add(r.start());
                started.get(sp).add(r.name());
            });
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put(start, 0);
        List<String> frontier = new ArrayList<>(List.of(start));
        for (int d = 1; d <= DEPTH; d++) {
            List<String> next = new ArrayList<>();
            for (String f : frontier) {
                java.util.Set<String> goes = new java.util.HashSet<>(started.getOrDefault(f, java.util.Set.of()));
                for (CallSite g : bin.sites(ChannelOp.GO)) {
                    if (g.physical().equals(f)) {
                        g.goTarget().ifPresent(goes::add);
                    }
                }
                for (String c : bin.callees(f)) {
                    if (!out.containsKey(c) && bin.isUserFunction(c) && !goes.contains(c)
                            && dev.chanscope.binary.BinaryScanner.wrapperOf(c) != CallSite.Wrapper.GO_WRAPPER
                            && (closures || !closureOf(c, f))) {
                        out.put(c, d);
                        next.add(c);
                    }
                }
            }
            frontier = next;
        }
        return out;
    }

    /** Whether two resolved operands name the same channel, different ones, or the code cannot say. */
    static Same same(ChannelOperand a, ChannelOperand b) {
        if (!a.known() || !b.known()) {
            return Same.UNKNOWN;
        }
        Optional<ChannelOperand.FieldChain> x = a.fieldChain();
        Optional<ChannelOperand.FieldChain> y = b.fieldChain();
        if (x.isPresent() && y.isPresent() && x.get().receiverType().equals(y.get().receiverType())) {
            return x.get().offsets().equals(y.get().offsets()) ? Same.SAME : Same.DIFFERENT;
        }
        if (a.equals(b) && CloserFinder.identity(a)) {
            return Same.SAME;
        }
        return CloserFinder.distinctChannels(a, b) ? Same.DIFFERENT : Same.UNKNOWN;
    }
}
