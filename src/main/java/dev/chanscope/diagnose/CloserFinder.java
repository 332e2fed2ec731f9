package dev.chanscope.diagnose;

import dev.chanscope.binary.CallSite;
import dev.chanscope.binary.ChannelOp;
import dev.chanscope.binary.SourcePos;
import dev.chanscope.diagnose.Evidence.Weight;
import dev.chanscope.goruntime.ChannelHolder;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.target.StructLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Ranks the program's closing sites by how strongly the core ties each one to the panic's
 * channel. Every reason is general (same channel expression in the source, a goroutine still
 * holding the channel in the closing function, the closing method's receiver having a field of
 * the channel's type, reachability from live goroutine roots), never a rule keyed to a program.
 */
final class CloserFinder {
    private final DiagnosisInput in;
    private final Optional<SourcePos> victimPos;
    private final List<String> victimExprs;
    private final boolean victimCloses;

    private final Set<String> creators;

    CloserFinder(DiagnosisInput in, Optional<SourcePos> victimPos, boolean victimCloses) {
        this.in = in;
        this.creators = senderCreators(in);
        this.victimPos = victimPos;
        this.victimCloses = victimCloses;
        this.victimExprs = victimPos.map(p -> victimCloses
                ? in.source().closedExpression(p.file(), p.line()).map(List::of).orElse(List.of())
                : in.source().sendTargets(p.file(), p.line())).orElse(List.of());
    }

    List<CloserCandidate> rank() {
        List<CloserCandidate> out = new ArrayList<>();
        for (CallSite s : in.binary().sites(ChannelOp.CLOSE)) {
            if (!UserCode.isUser(s.source().function()) && !UserCode.isUser(s.physical())) {
                continue;
            }
            out.add(candidate(s));
        }
        out.sort(Comparator.comparingDouble(CloserCandidate::score).reversed()
                .thenComparing(c -> c.site().source().location()));
        return out;
    }

    private CloserCandidate candidate(CallSite s) {
        List<Evidence> why = new ArrayList<>();
        SourcePos pos = s.source();
        // 1. The source: does this close name the channel the victim used?
        Optional<String> closed = in.source().closedExpression(pos.file(), pos.line());
        if (closed.isPresent() && !victimExprs.isEmpty()) {
            String victimExpr = String.join(" or ", victimExprs);
            if (victimExprs.contains(closed.get())) {
                why.add(new Evidence("same-expression", "close(" + closed.get() + ") at " + pos.location()
                        + " names the same channel expression as the panicking " + (victimCloses ? "close" : "send"),
                        Weight.STRONG));
            } else if (victimExprs.stream().map(SourceIndex::lastName)
                    .anyMatch(SourceIndex.lastName(closed.get())::equals)) {
                why.add(new Evidence("same-name", "close(" + closed.get() + ") at " + pos.location()
                        + " closes a channel named like the one the victim used (" + victimExpr + ")",
                        Weight.SUPPORTING));
            } else {
                why.add(new Evidence("other-expression", "close(" + closed.get() + ") at " + pos.location()
                        + " closes a different expression than the victim's " + victimExpr, Weight.AGAINST));
            }
        }
        // 2. The runtime: a goroutine still holding the channel in the closing function. A deferred
        // close runs in the goroutine of the function that deferred it; a go wrapper's does not.
        String enclosing = s.wrapper() == CallSite.Wrapper.DEFER_WRAPPER ? Wrappers.enclosing(s.physical()) : s.physical();
        // Holding the channel does not prove that this close is of it (the function may close
        // another channel), so this supports a link but never decides one.
        for (ChannelHolder h : in.holders()) {
            if (h.frame().equals(pos.function()) || h.frame().equals(s.physical()) || h.frame().equals(enclosing)) {
                why.add(new Evidence("holder-in-closer", "goroutine " + h.goroutineId() + " " + h.describe()
                        + ", and that function has a close at " + pos.location(), Weight.SUPPORTING));
                break;
            }
        }
        // 3. DWARF: the closing method's receiver has a field of the channel's type.
        in.snapshot().channel().ifPresent(c -> receiverField(pos.function(), c).ifPresent(f -> why.add(
                new Evidence("receiver-field", "the receiver of " + pos.function() + " has field " + f.name()
                        + " of type " + f.typeName() + ", the type of the panic's channel", Weight.SUPPORTING))));
        // 4. Same function, or same receiver type, as the victim; or the function that started it.
        victimPos.ifPresent(v -> {
            Optional<String> vt = receiverType(v.function());
            if (vt.isPresent() && vt.equals(receiverType(pos.function())) && !v.function().equals(pos.function())) {
                why.add(new Evidence("same-receiver", pos.function() + " is a method of " + vt.get()
                        + ", like the victim's " + v.function(), Weight.SUPPORTING));
            }
            if (creators.contains(pos.function()) || creators.contains(enclosing)) {
                why.add(new Evidence("closer-started-sender", enclosing
                        + " started a goroutine that sends on the channel, and closes a channel itself",
                        Weight.SUPPORTING));
            }
            if (v.function().equals(pos.function()) && !(victimCloses && v.line() == pos.line())) {
                why.add(new Evidence("victim-function", pos.function() + " both " + (victimCloses ? "closes" : "sends on")
                        + " the channel (victim at line " + v.line() + ") and closes it at line " + pos.line(),
                        Weight.SUPPORTING));
            }
            if (victimCloses && v.function().equals(pos.function()) && v.line() == pos.line()) {
                why.add(new Evidence("victim-close", "this is the statement that panicked; it may also be the one that"
                        + " closed first, run by another goroutine", Weight.SUPPORTING));
            }
        });
        // 5. Reachability: which goroutine roots can run this close at all.
        Set<String> roots = new LinkedHashSet<>(in.binary().rootsReaching(s.physical()));
        if (roots.isEmpty() && !enclosing.equals(s.physical())) {
            roots.addAll(in.binary().rootsReaching(enclosing));
        }
        if (roots.isEmpty()) {
            why.add(new Evidence("unreached", "no goroutine root reaches " + s.physical() + " through direct calls",
                    Weight.AGAINST));
        }
        double score = 0;
        for (Evidence e : why) {
            score += switch (e.weight()) {
                case DECISIVE -> 5;
                case STRONG -> 3;
                case SUPPORTING -> 1;
                case AGAINST -> -2;
            };
        }
        return new CloserCandidate(s, score, List.copyOf(why), roots);
    }

    /** Functions whose go statements started the victim or goroutines parked sending on the channel. */
    private static Set<String> senderCreators(DiagnosisInput in) {
        Set<Long> senders = new LinkedHashSet<>();
        in.snapshot().panic().ifPresent(p -> senders.add(p.goroutineId()));
        in.snapshot().channel().ifPresent(c -> {
            senders.addAll(c.sendWaiters());
            senders.addAll(c.wokenSenders());
        });
        Set<String> out = new LinkedHashSet<>();
        for (long id : senders) {
            in.snapshot().goroutine(id).flatMap(Goroutine::createdBy).ifPresent(f -> out.add(f.function()));
        }
        return out;
    }

    /** "pkg.(*T).M" → "pkg.T"; empty for a plain function. */
    static Optional<String> receiverType(String function) {
        Matcher m = java.util.regex.Pattern.compile("^(.*)\\.\\(\\*?([^)]+)\\)\\.[^.]+$").matcher(function);
        return m.matches() ? Optional.of(m.group(1) + "." + m.group(2)) : Optional.empty();
    }

    /** A field of the method's receiver struct whose type is this channel's type. */
    private Optional<StructLayout.Field> receiverField(String function, Hchan c) {
        if (in.types().isEmpty()) {
            return Optional.empty();
        }
        Matcher m = java.util.regex.Pattern.compile("^(.*)\\.\\(\\*?([^)]+)\\)\\.[^.]+$").matcher(function);
        if (!m.matches()) {
            return Optional.empty();
        }
        String type = m.group(1) + "." + m.group(2).replace("[...]", "");
        Optional<StructLayout> st = in.types().get().struct(type);
        if (st.isEmpty()) {
            return Optional.empty();
        }
        String want = "chan " + c.elemType();
        return st.get().fields().stream().filter(f -> f.typeName().equals(want)).findFirst();
    }

    /** The goroutine roots that exist (or existed) in the process: where its goroutines started. */
    static Set<String> presentRoots(List<Goroutine> gs, dev.chanscope.binary.BinaryFacts binary) {
        Set<String> out = new LinkedHashSet<>();
        out.add("main.main");
        for (Goroutine g : gs) {
            if (!g.startFunction().isEmpty()) {
                out.add(binary.rootStartingIn(g.startFunction()).map(dev.chanscope.binary.GoRoot::name)
                        .orElse(g.startFunction()));
            }
        }
        return out;
    }
}
