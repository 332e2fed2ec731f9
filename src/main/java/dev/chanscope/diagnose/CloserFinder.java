package dev.chanscope.diagnose;

import dev.chanscope.binary.CallSite;
import dev.chanscope.binary.ChannelOp;
import dev.chanscope.binary.ChannelOperand;
import dev.chanscope.binary.SourcePos;
import dev.chanscope.diagnose.Evidence.Weight;
import dev.chanscope.goruntime.ChannelHolder;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.proc.StructLayout;
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
    /** The channel operand of the victim's call site in the binary, when the code shows it. */
    private final Optional<ChannelOperand> victimOperand;

    CloserFinder(DiagnosisInput in, Optional<SourcePos> victimPos, boolean victimCloses) {
        this.in = in;
        this.creators = senderCreators(in);
        this.victimPos = victimPos;
        this.victimCloses = victimCloses;
        this.victimOperand = victimSite(in, victimPos, victimCloses).flatMap(in.binary()::channelOperand)
                .filter(o -> !(o instanceof ChannelOperand.Unknown));
        this.victimExprs = victimPos.map(p -> victimCloses
                ? in.source().closedExpression(p.file(), p.line()).map(List::of).orElse(List.of())
                : in.source().sendTargets(p.file(), p.line())).orElse(List.of());
    }

    List<CloserCandidate> rank() {
        List<CloserCandidate> out = new ArrayList<>();
        for (CallSite s : in.binary().sites(ChannelOp.CLOSE)) {
            if (!in.binary().isUserFunction(s.source().function()) && !in.binary().isUserFunction(s.physical())) {
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
        // 5. The binary: the channel operand of this close against the victim's (docs/diagnosis.md).
        in.binary().channelOperand(s).filter(o -> !(o instanceof ChannelOperand.Unknown))
                .ifPresent(o -> operandEvidence(s, o, why));
        // 6. Reachability: which goroutine roots can run this close at all.
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

    /**
     * The victim's call site: the CALL whose return address is the victim frame's pc (a direct
     * CALL rel32 is 5 bytes), else the only site at the victim's function and line. For a
     * victim in a select the site is the selectgo call.
     */
    static Optional<CallSite> victimSite(DiagnosisInput in, Optional<SourcePos> victimPos, boolean victimCloses) {
        Optional<Frame> frame = in.snapshot().panic().flatMap(p -> p.userFrame());
        if (victimPos.isEmpty()) {
            return Optional.empty();
        }
        Set<ChannelOp> ops = victimCloses ? Set.of(ChannelOp.CLOSE)
                : Set.of(ChannelOp.SEND, ChannelOp.SELECT_NB_SEND, ChannelOp.SELECT);
        List<CallSite> atLine = new ArrayList<>();
        for (CallSite s : in.binary().sites()) {
            if (!ops.contains(s.op())) {
                continue;
            }
            if (frame.isPresent() && s.pc() + 5 == frame.get().pc()) {
                return Optional.of(s);
            }
            if (s.source().function().equals(victimPos.get().function()) && s.source().line() == victimPos.get().line()) {
                atLine.add(s);
            }
        }
        return atLine.size() == 1 ? Optional.of(atLine.get(0)) : Optional.empty();
    }

    /**
     * Compares the channel operand of closing site {@code s} with the victim's: the same field
     * of the same receiver type (strong), another field of that type (against), the same
     * variable (a channel made at the same call, the same package variable, the same parameter
     * of the same function, seen through the closures that captured it: strong), channels made
     * at different calls or different package variables (against); and a holder's field offset
     * matching the field this close reads (supporting).
     */
    private void operandEvidence(CallSite s, ChannelOperand closer, List<Evidence> why) {
        ChannelOperand rc = closer.resolved();
        Optional<ChannelOperand.FieldChain> cc = rc.fieldChain();
        String where = s.source().location();
        if (victimOperand.isPresent()) {
            ChannelOperand rv = victimOperand.get().resolved();
            Optional<ChannelOperand.FieldChain> vc = rv.fieldChain();
            String verb = victimCloses ? "closes" : "sends on";
            if (cc.isPresent() && vc.isPresent() && cc.get().receiverType().equals(vc.get().receiverType())) {
                String type = cc.get().receiverType();
                if (cc.get().offsets().equals(vc.get().offsets())) {
                    why.add(new Evidence("same-field", "close(" + fieldText(cc.get()) + ") at " + where
                            + " closes the same field of a " + type + " that the victim " + verb + " (" + rootText(rc)
                            + "; machine code of the close: " + closer.describe() + ", of the victim: "
                            + victimOperand.get().describe() + ")", Weight.STRONG));
                } else {
                    why.add(new Evidence("other-field", "close(" + fieldText(cc.get()) + ") at " + where
                            + " closes another field of " + type + " than the victim's " + fieldText(vc.get()),
                            Weight.AGAINST));
                }
            } else if (rc.known() && rv.known() && rc.equals(rv) && identity(rc)) {
                why.add(new Evidence("same-variable", "close at " + where + " and the victim's "
                        + (victimCloses ? "close" : "send") + " use the same channel variable: "
                        + rc.describe(), Weight.STRONG));
            } else if (distinctChannels(rc, rv)) {
                why.add(new Evidence("other-variable", "close at " + where + " closes " + rc.describe()
                        + ", the victim " + verb + " " + rv.describe(), Weight.AGAINST));
            }
        }
        // A goroutine holds the channel through an object at the offset this close reads.
        if (cc.isPresent()) {
            long last = cc.get().offsets().get(cc.get().offsets().size() - 1);
            for (ChannelHolder h : in.holders()) {
                if (h.direct() || h.fieldOffset() != last) {
                    continue;
                }
                Optional<StructLayout.Field> f = chainField(cc.get());
                boolean typed = in.snapshot().channel().map(c -> f.map(x -> x.typeName().equals("chan " + c.elemType()))
                        .orElse(false)).orElse(false);
                if (typed) {
                    why.add(new Evidence("holder-field", "goroutine " + h.goroutineId() + " " + h.describe()
                            + "; close(" + fieldText(cc.get()) + ") at " + where
                            + " reads the field at that offset, of the channel's type", Weight.SUPPORTING));
                    break;
                }
            }
        }
    }

    /** What the "recv" of a field chain is: a method's receiver, or an object allocated by newobject. */
    private static String rootText(ChannelOperand o) {
        while (o instanceof ChannelOperand.Field f) {
            o = f.base();
        }
        if (o instanceof ChannelOperand.Param p) {
            return "recv: the receiver of " + p.function();
        }
        return o instanceof ChannelOperand.New n ? String.format("recv: the %s allocated at 0x%x", n.type(), n.pc()) : "";
    }

    /** A value that names one channel variable wherever it is compared (not a stack slot, which the compiler reuses). */
    static boolean identity(ChannelOperand o) {
        ChannelOperand root = o;
        while (root instanceof ChannelOperand.Field f) {
            root = f.base();
        }
        return root instanceof ChannelOperand.CallResult || root instanceof ChannelOperand.New
                || root instanceof ChannelOperand.Global || root instanceof ChannelOperand.Param;
    }

    /** Two channels that cannot be the same: made by different makechan calls, or different package variables. */
    static boolean distinctChannels(ChannelOperand a, ChannelOperand b) {
        if (a instanceof ChannelOperand.CallResult x && b instanceof ChannelOperand.CallResult y) {
            return x.callee().equals("runtime.makechan") && y.callee().equals("runtime.makechan") && x.pc() != y.pc();
        }
        return a instanceof ChannelOperand.Global x && b instanceof ChannelOperand.Global y && x.address() != y.address();
    }

    /** "recv.ch" (field names from DWARF where found, else "+0x20"), for a chain from a method receiver. */
    private String fieldText(ChannelOperand.FieldChain chain) {
        StringBuilder b = new StringBuilder("recv");
        Optional<String> type = Optional.of(chain.receiverType());
        for (long off : chain.offsets()) {
            Optional<StructLayout.Field> f = type.flatMap(t -> fieldAt(t, off));
            b.append('.').append(f.map(StructLayout.Field::name).orElse(String.format("<+0x%x>", off)));
            type = f.map(x -> x.typeName().strip()).filter(t -> t.endsWith("*"))
                    .map(t -> t.substring(0, t.length() - 1).strip().replaceFirst("^struct ", ""));
        }
        return b.toString();
    }

    /** The DWARF field the last offset of the chain reads, when every struct on the way is known. */
    private Optional<StructLayout.Field> chainField(ChannelOperand.FieldChain chain) {
        Optional<String> type = Optional.of(chain.receiverType());
        Optional<StructLayout.Field> f = Optional.empty();
        for (long off : chain.offsets()) {
            f = type.flatMap(t -> fieldAt(t, off));
            type = f.map(x -> x.typeName().strip()).filter(t -> t.endsWith("*"))
                    .map(t -> t.substring(0, t.length() - 1).strip().replaceFirst("^struct ", ""));
        }
        return f;
    }

    /** The field of struct {@code type} at {@code offset} (not a dotted part of a slice or string). */
    private Optional<StructLayout.Field> fieldAt(String type, long offset) {
        if (in.types().isEmpty() || type.contains("[...]")) {
            return Optional.empty(); // a generic type's DWARF name has its type arguments, the pclntab's its shapes
        }
        return in.types().get().struct(type).flatMap(st -> st.fields().stream()
                .filter(f -> f.offset() == offset && !f.name().contains(".")).findFirst());
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
