package dev.chanscope.diagnose;

import dev.chanscope.binary.CallSite;
import dev.chanscope.binary.ChannelOp;
import dev.chanscope.binary.ChannelOperand;
import dev.chanscope.binary.SourcePos;
import dev.chanscope.diagnose.Evidence.Weight;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.goruntime.PanicKind;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.PanicSite;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies TAXONOMY.md's decision rules, in their fixed order, to the evidence. Confidence
 * starts from how firmly the closer is tied to the channel and drops for every rule that had
 * to be decided without its best evidence; below {@link #DECIDE} the verdict is
 * {@code undetermined}, because a wrong answer stated with confidence is the worst outcome.
 */
public final class Diagnoser {
    /** Below this the verdict is undetermined. */
    static final double DECIDE = 0.5;
    /** Without the source, a verdict whose earlier rules the binary could not rule out stays at or below this. */
    static final double NO_SOURCE_CAP = 0.75;
    /** Evidence that ties a closer to the victim's channel by the channel expression itself. */
    private static final Set<String> STRONG_TIES = Set.of("same-expression", "same-field", "same-variable");

    public Diagnosis diagnose(DiagnosisInput in) {
        Diagnosis d = Completeness.limit(judge(in), in.snapshot());
        return in.log().isEmpty() ? d : Completeness.limitLog(d, in.log().get());
    }

    private Diagnosis judge(DiagnosisInput in) {
        Optional<PanicRecord> po = in.snapshot().panic();
        if (po.isEmpty() || po.get().kind() == PanicKind.OTHER) {
            String msg = po.map(PanicRecord::message).orElse("no panic found");
            // No panic and no fatal signal is what a healthy live process (attach) shows: it did not die.
            boolean nothing = po.isEmpty() || msg.equals(dev.chanscope.goruntime.SnapshotReader.NO_PANIC);
            String headline = nothing ? "No goroutine is panicking and no signal ended the process: there is no"
                    + " channel panic to explain"
                    : "The program did not die of a channel panic: " + msg;
            return simple(Pattern.NOT_CHANNEL_PANIC, 0.99, headline,
                    List.of(new Evidence("panic-message", "the panic was: " + msg, Weight.DECISIVE)),
                    nothing ? Fixes.nothing() : Fixes.none(msg));
        }
        PanicRecord p = po.get();
        Optional<SourcePos> victim = p.userFrame().map(f -> new SourcePos(f.function(), f.file(), f.line()));
        if (p.kind() == PanicKind.CLOSE_OF_NIL) {
            String where = victim.map(v -> v.function() + " at " + v.location()).orElse("an unknown function");
            return new Diagnosis(Pattern.CLOSE_OF_NIL, 0.97, "close of a nil channel in " + where,
                    List.of(new Evidence("panic-message", "the runtime raised 'close of nil channel' in closechan",
                            Weight.DECISIVE)),
                    List.of(), Optional.empty(), List.of(), victim, List.of(), Fixes.closeOfNil(victim), List.of(),
                    List.of(), Diagnosis.Basis.NONE);
        }
        boolean closeOfClosed = p.kind() == PanicKind.CLOSE_OF_CLOSED;
        CloserFinder finder = new CloserFinder(in, victim, closeOfClosed);
        List<CloserCandidate> ranked = onlyCloser(in, finder.rank());
        List<CloserCandidate> linked = ranked.stream().filter(Diagnoser::linked).toList();
        // Which of the tied closing sites ran: the core's evidence about time puts the site that
        // ran first, the sites that have not run yet last (docs/patterns.md, "Decision rules").
        Timed timed = timed(in, linked.isEmpty() ? ranked.stream().limit(5).toList() : linked, closeOfClosed, victim);
        if (!linked.isEmpty()) {
            linked = timed.order();
        }
        List<Evidence> ev = new ArrayList<>(victimEvidence(in, p));
        List<String> missing = new ArrayList<>();
        if (victim.isPresent() && !in.source().has(victim.get().file())) {
            missing.add("the victim's source: " + in.source().notFound(victim.get().file()) + "; it would let"
                    + " chanscope compare the channel expressions of each close with the victim's");
        }
        Verdict v = closeOfClosed ? closeOfClosed(in, victim, ranked, linked, ev)
                : sendOnClosed(in, p, victim, ranked, linked, ev, missing);
        v.closer.map(c -> c.site().source().file()).filter(f -> !in.source().has(f)
                && victim.map(x -> !x.file().equals(f)).orElse(true))
                .ifPresent(f -> missing.add("the closer's source: " + in.source().notFound(f)));
        List<String> unresolved = new ArrayList<>();
        v.closer.ifPresent(c -> {
            if (in.binary().hasIndirectCalls(c.site().physical())) {
                unresolved.add(c.site().physical() + " makes indirect calls that were not followed");
            }
        });
        in.binary().unresolved().stream().limit(5).forEach(unresolved::add);
        Pattern pattern = v.pattern;
        double conf = Math.max(0, Math.min(0.99, v.confidence));
        if (conf > NO_SOURCE_CAP && v.closer.isPresent() && !in.source().has(v.closer.get().site().source().file())
                && !settledByTheBinary(in, v, linked)) {
            // Without the source a strong binary link (same-field) ties the closer, but the
            // rules before this one were not all decided: stay below the line we never cross
            // with a guess.
            conf = NO_SOURCE_CAP;
        }
        List<Diagnosis.RunnerUp> runners = new ArrayList<>(v.runnersUp);
        String headline = v.headline;
        if (conf < DECIDE) {
            runners.add(0, new Diagnosis.RunnerUp(pattern, conf, "best candidate, but the evidence is not decisive"));
            headline = "Undetermined: the evidence leans to " + pattern.id() + " but does not decide it. " + headline;
            pattern = Pattern.UNDETERMINED;
            if (linked.isEmpty()) {
                missing.add("no closing site is tied to this channel: no goroutine still holds it and the source was"
                        + " not available to match channel expressions");
            }
        }
        List<Diagnosis.ClosingSite> sites = timed.sites(v.closer);
        List<String> otherSites = sites.stream().filter(x -> !x.culprit())
                .map(x -> x.candidate().site().source().location()).toList();
        Diagnosis.Fix fix = Fixes.forPattern(v.pattern, v.closer, victim, in.snapshot().channel(),
                closerMayBeVictim(in, p, v.closer), otherSites);
        Diagnosis.Basis basis = basis(v.closer, sites, linked.isEmpty());
        List<Evidence> evidence = new ArrayList<>(v.evidence);
        v.closer.flatMap(c -> sites.stream().filter(Diagnosis.ClosingSite::culprit).findFirst())
                .filter(x -> !x.status().equals("unknown"))
                .ifPresent(x -> evidence.add(new Evidence(x.status().equals("ran") ? "closer-ran" : "closer-not-yet",
                        x.why(), x.status().equals("ran") ? Weight.STRONG : Weight.AGAINST)));
        if (basis == Diagnosis.Basis.UNDECIDED) {
            missing.add("which closing site ran: " + sites.stream().filter(x -> !x.status().equals("not-yet"))
                    .map(x -> x.candidate().site().source().location()).distinct()
                    .reduce((a, b) -> a + ", " + b).orElse("") + " may each have closed it");
        }
        return new Diagnosis(pattern, round(conf), headline, List.copyOf(evidence), List.copyOf(runners), v.closer,
                ranked.stream().limit(5).toList(), victim, List.copyOf(missing), fix, List.copyOf(unresolved),
                sites, basis);
    }

    /** The closing sites with their timing, and the tied candidates reordered by it. */
    private record Timed(List<CloserCandidate> order, Map<CloserCandidate, CloserTiming.Timing> timing) {
        List<Diagnosis.ClosingSite> sites(Optional<CloserCandidate> culprit) {
            List<Diagnosis.ClosingSite> out = new ArrayList<>();
            Set<SourcePos> seen = new java.util.HashSet<>();
            String culpritAt = culprit.map(c -> c.site().source().location()).orElse("");
            boolean anyStrong = order.stream().anyMatch(Diagnoser::strongTie);
            for (CloserCandidate c : order) {
                if (anyStrong && !strongTie(c) && !c.site().source().location().equals(culpritAt)
                        || !seen.add(c.site().source())) {
                    continue;
                }
                CloserTiming.Timing t = timing.get(c);
                String status = switch (t.status()) {
                    case RAN -> "ran";
                    case NOT_YET -> "not-yet";
                    case UNKNOWN -> "unknown";
                };
                out.add(new Diagnosis.ClosingSite(c, status, t.why(), c.site().source().location().equals(culpritAt)));
            }
            return List.copyOf(out);
        }
    }

    private static Timed timed(DiagnosisInput in, List<CloserCandidate> pool, boolean closeOfClosed,
                               Optional<SourcePos> victim) {
        CloserTiming timing = new CloserTiming(in);
        Map<CloserCandidate, CloserTiming.Timing> t = new java.util.LinkedHashMap<>();
        Map<SourcePos, CloserTiming.Timing> bySource = new java.util.HashMap<>();
        // A close of a closed channel: the statement that panicked closed second. When another
        // site tied to the channel may have run, that one closed first.
        boolean otherSite = closeOfClosed && victim.isPresent() && pool.stream().anyMatch(c -> strongTie(c)
                && !isVictimStatement(c, victim.get()));
        for (CloserCandidate c : pool) {
            if (otherSite && isVictimStatement(c, victim.get())) {
                t.put(c, new CloserTiming.Timing(CloserTiming.Status.NOT_YET, "this is the close that panicked:"
                        + " it ran second"));
                continue;
            }
            t.put(c, bySource.computeIfAbsent(c.site().source(), k -> timing.of(c.site())));
        }
        // A second close of a channel panics: when one site tied to it by the channel expression
        // itself is shown to have closed it, another such site did not (or the process would have
        // died of "close of closed channel" there).
        if (!closeOfClosed) {
            List<CloserCandidate> strong = pool.stream().filter(Diagnoser::strongTie).toList();
            Set<SourcePos> ran = new java.util.HashSet<>();
            strong.stream().filter(c -> t.get(c).status() == CloserTiming.Status.RAN).forEach(c -> ran.add(c.site().source()));
            if (ran.size() == 1) {
                SourcePos first = ran.iterator().next();
                for (CloserCandidate c : strong) {
                    if (!c.site().source().equals(first) && t.get(c).status() == CloserTiming.Status.UNKNOWN) {
                        t.put(c, new CloserTiming.Timing(CloserTiming.Status.NOT_YET, "the close at "
                                + first.location() + " ran, so this one did not: a second close would have panicked"
                                + " with 'close of closed channel'"));
                    }
                }
            }
        }
        // Time reorders the sites tied to the channel by its expression; a site tied only by
        // supporting evidence may close another channel, so that it ran says nothing here.
        List<CloserCandidate> order = new ArrayList<>(pool);
        order.sort(java.util.Comparator.comparingInt((CloserCandidate c) -> strongTie(c) ? 0 : 1)
                .thenComparingInt(c -> switch (t.get(c).status()) {
                    case RAN -> 0;
                    case UNKNOWN -> 1;
                    case NOT_YET -> 2;
                }));
        return new Timed(List.copyOf(order), t);
    }

    private static boolean isVictimStatement(CloserCandidate c, SourcePos victim) {
        SourcePos p = c.site().source();
        return p.file().equals(victim.file()) && p.line() == victim.line();
    }

    private static boolean strongTie(CloserCandidate c) {
        return c.reasons().stream().anyMatch(e -> STRONG_TIES.contains(e.kind()) || e.kind().equals("only-closer"));
    }

    private static Diagnosis.Basis basis(Optional<CloserCandidate> closer, List<Diagnosis.ClosingSite> sites,
                                         boolean unlinked) {
        if (closer.isEmpty() || unlinked) {
            return Diagnosis.Basis.NONE;
        }
        Optional<Diagnosis.ClosingSite> c = sites.stream().filter(Diagnosis.ClosingSite::culprit).findFirst();
        if (c.isPresent() && c.get().status().equals("ran")) {
            return Diagnosis.Basis.SHOWN_RAN;
        }
        if (sites.size() <= 1) {
            return Diagnosis.Basis.ONLY_SITE;
        }
        long open = sites.stream().filter(x -> !x.status().equals("not-yet")).count();
        return open <= 1 && c.isPresent() && !c.get().status().equals("not-yet") ? Diagnosis.Basis.ELIMINATION
                : Diagnosis.Basis.UNDECIDED;
    }

    /**
     * Without the source and without an operand that ties a close to the channel: when the
     * program's code has one closing statement, the channel (made and closed by user code) was
     * closed there. Marked {@code only-closer} unless the machine code shows it closes another
     * channel.
     */
    private static List<CloserCandidate> onlyCloser(DiagnosisInput in, List<CloserCandidate> ranked) {
        Set<SourcePos> statements = new java.util.HashSet<>();
        ranked.forEach(c -> statements.add(c.site().source()));
        if (statements.size() != 1
                || in.snapshot().panic().map(x -> x.kind() == PanicKind.CLOSE_OF_CLOSED).orElse(false)) {
            return ranked;
        }
        List<CloserCandidate> out = new ArrayList<>();
        for (CloserCandidate c : ranked) {
            boolean against = c.reasons().stream().anyMatch(e -> e.kind().equals("other-field")
                    || e.kind().equals("other-variable") || e.kind().equals("other-expression"));
            if (against) {
                out.add(c);
                continue;
            }
            List<Evidence> why = new ArrayList<>(c.reasons());
            why.add(new Evidence("only-closer", "the program's code closes a channel in one statement only, "
                    + c.site().source().location() + ": the channel was closed there", Weight.STRONG));
            out.add(new CloserCandidate(c.site(), c.score() + 3, List.copyOf(why), c.roots()));
        }
        return out;
    }

    /**
     * True when the goroutine that panicked may itself have run the close earlier (the closing
     * site is reachable from the goroutine root the victim started in): waiting for the senders
     * would then mean the closer waiting for itself.
     */
    private static boolean closerMayBeVictim(DiagnosisInput in, PanicRecord p, Optional<CloserCandidate> closer) {
        if (closer.isEmpty()) {
            return false;
        }
        Optional<Goroutine> g = in.snapshot().goroutine(p.goroutineId());
        if (g.isEmpty() || g.get().startFunction().isEmpty()) {
            return false;
        }
        String start = g.get().startFunction();
        String root = start.equals("runtime.main") ? "main.main" : in.binary().rootStartingIn(start)
                .map(dev.chanscope.binary.GoRoot::name).orElse(start);
        return closer.get().roots().contains(root);
    }

    /** A candidate with positive evidence tying it to the channel (not mere existence). */
    private static boolean linked(CloserCandidate c) {
        // The code says this close is of another channel: by its source text, or by the field or
        // the make call its machine code reads the channel from. A different name in the source
        // does not count when the machine code reads both channels from the same variable or
        // field (a parameter that renames it: go f(results) with f(out chan<- T)).
        boolean tied = c.reasons().stream().anyMatch(e -> e.kind().equals("same-field") || e.kind().equals("same-variable"));
        boolean against = c.reasons().stream().anyMatch(e -> e.kind().equals("other-field") || e.kind().equals("other-variable")
                || e.kind().equals("other-expression") && !tied);
        return !against && c.reasons().stream().anyMatch(e -> e.weight() != Weight.AGAINST);
    }

    private record Verdict(Pattern pattern, double confidence, String headline, List<Evidence> evidence,
                           Optional<CloserCandidate> closer, List<Diagnosis.RunnerUp> runnersUp) {}

    private static Verdict sendOnClosed(DiagnosisInput in, PanicRecord p, Optional<SourcePos> victim,
                                        List<CloserCandidate> ranked, List<CloserCandidate> linked,
                                        List<Evidence> ev, List<String> missing) {
        Optional<CloserCandidate> top = linked.isEmpty() ? ranked.stream().findFirst() : Optional.of(linked.get(0));
        if (top.isEmpty()) {
            ev.add(new Evidence("no-closer", "the binary has no close of a channel in user code", Weight.AGAINST));
            missing.add("a closing site: the close may be in a library or reached through reflection");
            return new Verdict(Pattern.PREMATURE_CLOSE, 0.3, "No closing site found in the program's code.", ev,
                    Optional.empty(), List.of());
        }
        CloserCandidate c = top.get();
        ev.addAll(c.reasons());
        double base = baseConfidence(c, linked.isEmpty());
        if (linked.isEmpty()) {
            missing.add("evidence tying a closing site to this channel (a goroutine still holding it in the closer,"
                    + " or the source)");
        }
        List<Diagnosis.RunnerUp> runners = new ArrayList<>();
        String closerName = c.function() + " (" + c.site().source().location() + ")";
        SourceIndex src = in.source();
        SourcePos cp = c.site().source();

        // Rule 1: a deferred close.
        boolean deferred = c.site().wrapper() == CallSite.Wrapper.DEFER_WRAPPER
                || src.line(cp.file(), cp.line()).map(t -> t.strip().startsWith("defer ")).orElse(false);
        if (deferred) {
            ev.add(new Evidence("closer-is-deferred", "the close runs as a deferred call ("
                    + c.site().physical() + "): it ran when " + Wrappers.enclosing(c.site().physical())
                    + " returned", Weight.DECISIVE));
            stillSending(in, p).ifPresent(ev::add);
            // The binary settles rule 1 (the close is compiled into a defer wrapper): tied to the
            // channel by its field or its variable, the verdict needs nothing the source adds.
            double conf = c.site().wrapper() == CallSite.Wrapper.DEFER_WRAPPER && strongTie(c) ? Math.max(base, 0.85)
                    : base;
            return new Verdict(Pattern.DEFER_CLOSE, conf, "defer-close: " + Wrappers.enclosing(
                    c.site().physical()) + " returned and its deferred close ran while goroutine " + p.goroutineId()
                    + " was still sending", ev, top, runners);
        }
        // Rule 2: the close sits in a select branch that also sends on the channel.
        Optional<SourceIndex.SelectContext> sel = src.enclosingSelect(cp.file(), cp.line());
        Optional<String> closedExpr = src.closedExpression(cp.file(), cp.line());
        if (sel.isPresent() && closedExpr.isPresent() && sel.get().sendCases().stream()
                .anyMatch(s -> SourceIndex.lastName(s).equals(SourceIndex.lastName(closedExpr.get())))) {
            ev.add(new Evidence("close-in-select-with-send", "close(" + closedExpr.get() + ") at " + cp.location()
                    + " is in a branch of the select at line " + sel.get().line() + ", which also sends on "
                    + closedExpr.get(), Weight.DECISIVE));
            return new Verdict(Pattern.SELECT_CLOSE, base, "select-close: " + closerName
                    + " closes the channel in a select branch while the same select's send case is used by others",
                    ev, top, runners);
        }
        boolean closerHasSelectSend = in.binary().sites(ChannelOp.SELECT).stream()
                .anyMatch(s -> s.source().function().equals(cp.function()));
        if (!src.has(cp.file()) && p.site() == PanicSite.SELECTGO && closerHasSelectSend
                && victim.map(v -> v.function().equals(cp.function())).orElse(false)) {
            ev.add(new Evidence("close-beside-select", cp.function() + " holds both the select whose send case"
                    + " panicked and the close", Weight.STRONG));
            return new Verdict(Pattern.SELECT_CLOSE, base - 0.15, "select-close: " + closerName
                    + " closes the channel beside a select that sends on it", ev, top, runners);
        }
        Optional<CallSite> selectSend = selectSendingTheClosed(in, c.site());
        if (!src.has(cp.file()) && selectSend.isPresent()) {
            ev.add(new Evidence("close-after-select-send", cp.function() + " sends on "
                    + in.binary().channelOperand(c.site()).map(ChannelOperand::describe).orElse("?")
                    + " in the select at line " + selectSend.get().source().line() + " and closes the same channel at line "
                    + cp.line() + " (the machine code reads both from the same place)", Weight.STRONG));
            return new Verdict(Pattern.SELECT_CLOSE, base - 0.15, "select-close: " + closerName
                    + " closes the channel after a select that sends on it; without the source it is not"
                    + " certain that the close is inside one of that select's branches", ev, top, runners);
        }
        // Rule 3: the closing function also sends on the channel.
        Optional<Evidence> alsoSends = closerAlsoSends(in, c, victim)
                .or(() -> CloserSends.find(in, c.site()).map(f -> CloserSends.evidence(c.site(), f)));
        if (alsoSends.isPresent()) {
            ev.add(alsoSends.get());
            double conf = alsoSends.get().weight() == Weight.DECISIVE || alsoSends.get().weight() == Weight.STRONG
                    ? base : base - 0.15;
            String other = victim.map(v -> v.function().equals(cp.function()) ? "another run of it"
                    : v.function()).orElse("another sender");
            return new Verdict(Pattern.SEND_THEN_CLOSE, conf, "send-then-close: " + cp.function()
                    + " sends and then closes the channel, while " + other + " (goroutine " + p.goroutineId()
                    + ") still sends", ev, top, runners);
        }
        // Rule 4: two or more goroutine roots can reach a close of this channel.
        List<CloserCandidate> pool = linked.isEmpty() ? List.of(c) : linked;
        Set<String> roots = new LinkedHashSet<>();
        pool.forEach(k -> roots.addAll(k.roots()));
        Set<String> present = CloserFinder.presentRoots(in.snapshot().goroutines(), in.binary());
        Set<String> livingRoots = new LinkedHashSet<>(roots);
        livingRoots.retainAll(present);
        if (roots.size() >= 2) {
            ev.add(new Evidence("closer-roots", "closes of this channel are reachable from " + roots.size()
                    + " goroutine roots: " + String.join(", ", roots), Weight.STRONG));
            double conf = livingRoots.size() >= 2 ? base : base - 0.15;
            if (livingRoots.size() >= 2) {
                ev.add(new Evidence("roots-ran", "goroutines were started from " + String.join(", ", livingRoots),
                        Weight.SUPPORTING));
            }
            runners.add(new Diagnosis.RunnerUp(Pattern.PREMATURE_CLOSE, Math.max(0, conf - 0.3),
                    "if only one of those roots ever closes, the close was premature"));
            return new Verdict(Pattern.MULTI_CLOSER, conf, "multi-closer: the channel can be closed from "
                    + roots.size() + " goroutines (" + String.join(", ", roots) + "); " + closerName
                    + " closed it while goroutine " + p.goroutineId() + " still sent", ev, top, runners);
        }
        // Rule 5: one non-sending closer closed while senders were alive.
        ev.add(new Evidence("single-closer", "one closing site (" + closerName + "), reachable from "
                + (roots.isEmpty() ? "no resolved root" : String.join(", ", roots)) + ", and it does not send on the"
                + " channel, nor do the functions it calls (" + CloserSends.DEPTH + " calls deep)",
                Weight.SUPPORTING));
        if (p.site() == PanicSite.CHANSEND_AFTER_PARK) {
            ev.add(new Evidence("closed-while-parked", "the victim was parked sending when the close woke it:"
                    + " the closer did not wait for it", Weight.STRONG));
        }
        stillSending(in, p).ifPresent(ev::add);
        // The rule of exclusion needs every goroutine root: a go statement whose target the scan
        // could not resolve may start another closer (a multi-closer seen as one).
        long unresolvedGo = in.binary().sites(ChannelOp.GO).stream()
                .filter(g -> g.goTarget().isEmpty() && in.binary().isUserFunction(g.physical())).count();
        double conf = base - 0.05;
        if (unresolvedGo > 0) {
            ev.add(new Evidence("unresolved-go", unresolvedGo + " go statement(s) in the program's code start a"
                    + " function the binary scan could not name; one of them may reach another close of this channel",
                    Weight.AGAINST));
            conf = Math.min(conf, NO_SOURCE_CAP);
        }
        return new Verdict(Pattern.PREMATURE_CLOSE, conf, "premature-close: " + closerName
                + " closed the channel before its senders were done (goroutine " + p.goroutineId() + " still sent)",
                ev, top, runners);
    }

    private static Verdict closeOfClosed(DiagnosisInput in, Optional<SourcePos> victim, List<CloserCandidate> ranked,
                                         List<CloserCandidate> linked, List<Evidence> ev) {
        SourceIndex src = in.source();
        List<CloserCandidate> pool = linked.isEmpty() ? ranked : linked;
        Optional<CloserCandidate> first = pool.stream().findFirst();
        first.ifPresent(c -> ev.addAll(c.reasons()));
        double base = first.map(c -> baseConfidence(c, linked.isEmpty())).orElse(0.6);
        ev.add(new Evidence("second-close", "the panicking goroutine closed a channel that was already closed"
                + victim.map(v -> " at " + v.function() + " " + v.location()).orElse(""), Weight.DECISIVE));
        // Rule 1: a check-then-close guard in a select with default.
        for (CloserCandidate c : pool) {
            SourcePos cp = c.site().source();
            Optional<SourceIndex.SelectContext> sel = src.enclosingSelect(cp.file(), cp.line());
            if (sel.isPresent() && sel.get().hasDefault() && sel.get().closeInDefault()) {
                ev.add(new Evidence("select-default-guard", "close at " + cp.location() + " is in the default branch"
                        + " of the select at line " + sel.get().line() + ": check-then-close is not atomic, two"
                        + " goroutines can both take default", Weight.DECISIVE));
                return new Verdict(Pattern.SELECT_CLOSE, Math.max(base, 0.85), "select-close: " + cp.function()
                        + " guards its close with select/default, which is not atomic; two goroutines both closed",
                        ev, Optional.of(c), List.of());
            }
            if (!src.has(cp.file()) && in.binary().callees(c.site().physical()).contains("runtime.selectnbrecv")
                    && !checksOnlyOtherChannels(in, c.site())) {
                ev.add(new Evidence("select-default-guard", c.site().physical() + " checks the channel with a"
                        + " non-blocking receive (select with default) before closing it", Weight.STRONG));
                return new Verdict(Pattern.SELECT_CLOSE, base - 0.1, "select-close: " + cp.function()
                        + " guards its close with select/default, which is not atomic", ev, Optional.of(c), List.of());
            }
        }
        // Rule 2: the closing functions also send on the channel.
        for (CloserCandidate c : pool) {
            Optional<Evidence> alsoSends = closerAlsoSends(in, c, Optional.empty())
                    .or(() -> CloserSends.find(in, c.site()).filter(CloserSends.Found::byCode)
                            .map(f -> CloserSends.evidence(c.site(), f)));
            if (alsoSends.isPresent()) {
                ev.add(alsoSends.get());
                return new Verdict(Pattern.SEND_THEN_CLOSE, alsoSends.get().weight() == Weight.AGAINST ? base - 0.2 : base,
                        "send-then-close: " + c.function() + " sends and closes; two of its runs both closed",
                        ev, Optional.of(c), List.of());
            }
        }
        // Rule 3: closed twice by goroutines that do not send on it.
        Set<String> roots = new LinkedHashSet<>();
        pool.forEach(k -> roots.addAll(k.roots()));
        if (!roots.isEmpty()) {
            ev.add(new Evidence("closer-roots", "the close is reachable from " + String.join(", ", roots),
                    roots.size() >= 2 ? Weight.SUPPORTING : Weight.AGAINST));
        }
        String who = first.map(c -> c.function() + " (" + c.site().source().location() + ")").orElse("a closer");
        return new Verdict(Pattern.DOUBLE_CLOSE, Math.max(base, 0.75), "double-close: " + who
                + " ran twice; the second close panicked", ev, first, List.of());
    }

    /**
     * True when the machine code shows that every non-blocking receive of the closing site's
     * physical function checks another channel than the one it closes (both operands known
     * and different): a select/default guard on some other channel is not a check-then-close
     * of this one.
     */
    private static boolean checksOnlyOtherChannels(DiagnosisInput in, CallSite close) {
        Optional<ChannelOperand> closed = in.binary().channelOperand(close).filter(ChannelOperand::known);
        List<ChannelOperand> checked = in.binary().nonBlockingReceives(close.physical());
        return closed.isPresent() && !checked.isEmpty()
                && checked.stream().allMatch(o -> o.known() && !o.resolved().equals(closed.get().resolved()));
    }

    /**
     * A select, in the closing site's physical function and written before it, that has a
     * send case on the channel the close closes: the same operand in the same function's code.
     */
    private static Optional<CallSite> selectSendingTheClosed(DiagnosisInput in, CallSite close) {
        Optional<ChannelOperand> closed = in.binary().channelOperand(close).filter(ChannelOperand::known);
        if (closed.isEmpty()) {
            return Optional.empty();
        }
        for (CallSite s : in.binary().sites(ChannelOp.SELECT)) {
            if (s.physical().equals(close.physical()) && s.source().function().equals(close.source().function())
                    && s.source().line() < close.source().line()
                    && in.binary().selectSendOperands(s).contains(closed.get())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Without the source: whether the binary settles every rule before the verdict's, so that
     * a {@code same-field} link may carry the verdict to 0.8 or more. A deferred close or a
     * second close with no send or select send in the closing function is settled; a
     * send-then-close when a send in the closing function reads the channel from the same
     * place as the close; a multi-closer when the closing function has no send (rules 2 and
     * 3 cannot apply) and the closers tied by the channel expression alone come from two
     * goroutine roots that ran. Premature-close, the rule of exclusion, never is: a closing
     * root the call graph misses would make it a multi-closer.
     */
    private static boolean settledByTheBinary(DiagnosisInput in, Verdict v, List<CloserCandidate> linked) {
        CloserCandidate c = v.closer.get();
        String fn = c.site().source().function();
        List<CallSite> sends = in.binary().sites().stream().filter(s -> s.source().function().equals(fn)
                && (s.op() == ChannelOp.SEND || s.op() == ChannelOp.SELECT_NB_SEND
                || s.op() == ChannelOp.SELECT && in.binary().selectShape(s).map(x -> x.hasSend()).orElse(true)))
                .filter(s -> !sendsOnAnotherChannel(in, s, c.site()))
                .toList();
        switch (v.pattern) {
            case DEFER_CLOSE, SELECT_CLOSE:
                return true;
            case SEND_THEN_CLOSE: {
                if (v.evidence.stream().anyMatch(e -> e.kind().equals("closer-sends-through"))) {
                    return true;
                }
                Optional<ChannelOperand> closed = in.binary().channelOperand(c.site()).filter(ChannelOperand::known);
                return closed.isPresent() && sends.stream().anyMatch(s -> s.op() != ChannelOp.SELECT
                        && s.physical().equals(c.site().physical()) && in.binary().channelOperand(s).equals(closed));
            }
            case DOUBLE_CLOSE:
                return sends.isEmpty() && (!in.binary().callees(c.site().physical()).contains("runtime.selectnbrecv")
                        || checksOnlyOtherChannels(in, c.site()));
            case MULTI_CLOSER: {
                if (!sends.isEmpty()) {
                    return false;
                }
                Set<String> roots = new LinkedHashSet<>();
                linked.stream().filter(k -> k.reasons().stream().anyMatch(e -> STRONG_TIES.contains(e.kind())))
                        .forEach(k -> roots.addAll(k.roots()));
                roots.retainAll(CloserFinder.presentRoots(in.snapshot().goroutines(), in.binary()));
                return roots.size() >= 2;
            }
            default:
                return false;
        }
    }

    /**
     * True when the machine code shows that send site {@code send} (a send, a non-blocking
     * send, or a select's send cases) uses another channel expression than {@code close} does
     * in the same physical function (the copy of the close inlined there, if any): both
     * operands known and different. Like the source's comparison of expressions, this says
     * the expressions differ, not that the values can never alias.
     */
    private static boolean sendsOnAnotherChannel(DiagnosisInput in, CallSite send, CallSite close) {
        Optional<ChannelOperand> closed = in.binary().sites(ChannelOp.CLOSE).stream()
                .filter(k -> k.physical().equals(send.physical()) && k.source().equals(close.source()))
                .findFirst().flatMap(in.binary()::channelOperand).filter(ChannelOperand::known);
        if (closed.isEmpty()) {
            return false;
        }
        List<ChannelOperand> sent = send.op() == ChannelOp.SELECT ? in.binary().selectSendOperands(send)
                : in.binary().channelOperand(send).map(List::of).orElse(List.of());
        int sends = send.op() == ChannelOp.SELECT ? in.binary().selectShape(send).map(x -> x.sends()).orElse(-1) : 1;
        return sent.size() == sends && sent.stream().allMatch(o -> o.known() && !o.equals(closed.get()));
    }

    /** Whether the closer's function also sends on the channel: proved by the source or suggested by the binary. */
    private static Optional<Evidence> closerAlsoSends(DiagnosisInput in, CloserCandidate c, Optional<SourcePos> victim) {
        String fn = c.function();
        SourceIndex src = in.source();
        Optional<String> closed = src.closedExpression(c.site().source().file(), c.site().source().line());
        List<CallSite> sends = new ArrayList<>();
        for (CallSite s : in.binary().sites()) {
            if ((s.op() == ChannelOp.SEND || s.op() == ChannelOp.SELECT_NB_SEND) && s.source().function().equals(fn)) {
                sends.add(s);
            }
        }
        for (CallSite s : sends) {
            Optional<String> sent = src.sentExpression(s.source().file(), s.source().line());
            if (closed.isPresent() && sent.isPresent()
                    && SourceIndex.lastName(sent.get()).equals(SourceIndex.lastName(closed.get()))) {
                return Optional.of(new Evidence("closer-sends", fn + " sends on " + sent.get() + " at line "
                        + s.source().line() + " and closes it at line " + c.site().source().line(), Weight.DECISIVE));
            }
        }
        boolean sameAsVictim = victim.map(v -> v.function().equals(fn)).orElse(false);
        // Without the source, a send elsewhere in the closing function may be on another channel:
        // only when the victim runs that same function is it evidence about this channel.
        if (!sends.isEmpty() && closed.isEmpty() && (sameAsVictim || victim.isEmpty())) {
            return Optional.of(new Evidence("closer-sends", fn + " has sends (line "
                    + sends.get(0).source().line() + ") and a close (line " + c.site().source().line() + ")"
                    + (sameAsVictim ? "; the victim runs the same function" : ""),
                    sameAsVictim ? Weight.STRONG : Weight.SUPPORTING));
        }
        return Optional.empty();
    }

    /**
     * How firmly the closer is tied to the channel. The source (the close names the same
     * channel expression as the victim) ties it for certain; so, nearly, does the machine code
     * when both read the channel from the same field chain of a method receiver of the same type
     * ({@code same-field}). Each other independent runtime or binary link adds a little, and
     * without one of those two the verdict stays below 0.8.
     */
    private static double baseConfidence(CloserCandidate c, boolean unlinked) {
        // The program's only closing statement: the channel was closed there.
        double floor = c.reasons().stream().anyMatch(e -> e.kind().equals("only-closer")) ? 0.8 : 0;
        return Math.max(floor, tieConfidence(c, unlinked));
    }

    private static double tieConfidence(CloserCandidate c, boolean unlinked) {
        if (unlinked) {
            return 0.45;
        }
        if (c.reasons().stream().anyMatch(e -> e.kind().equals("same-expression"))) {
            return 0.9;
        }
        if (c.reasons().stream().anyMatch(e -> e.kind().equals("same-field"))) {
            return 0.85;
        }

        long links = c.reasons().stream().filter(e -> e.weight() != Weight.AGAINST).map(Evidence::kind).distinct().count();
        return Math.min(0.75, 0.55 + 0.07 * links);
    }

    /** What the victim's side shows: where and how it panicked. */
    private static List<Evidence> victimEvidence(DiagnosisInput in, PanicRecord p) {
        List<Evidence> ev = new ArrayList<>();
        String where = p.userFrame().map(f -> " at " + f.function() + " " + f.location()).orElse("");
        ev.add(new Evidence("panic-site", "goroutine " + p.goroutineId() + " panicked in " + p.site().id() + where,
                Weight.DECISIVE));
        in.snapshot().channel().ifPresent(c -> ev.add(new Evidence("channel", channelText(c), Weight.SUPPORTING)));
        return ev;
    }

    private static String channelText(Hchan c) {
        return String.format("channel 0x%x (chan %s, %s) is closed; %d goroutine(s) parked sending, %d receiving",
                c.address(), c.elemType(), c.capacity() == 0 ? "unbuffered" : "capacity " + c.capacity(),
                c.sendWaiters().size(), c.recvWaiters().size());
    }

    /** Other goroutines still sending on the channel when the program died. */
    private static Optional<Evidence> stillSending(DiagnosisInput in, PanicRecord p) {
        Optional<Hchan> c = in.snapshot().channel();
        if (c.isEmpty()) {
            return Optional.empty();
        }
        List<Long> senders = new ArrayList<>(c.get().sendWaiters());
        senders.addAll(c.get().wokenSenders());
        if (senders.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Evidence("senders-alive", "goroutines " + senders
                + " were also sending on the closed channel", Weight.SUPPORTING));
    }

    private static Diagnosis simple(Pattern pattern, double conf, String headline, List<Evidence> ev, Diagnosis.Fix fix) {
        return new Diagnosis(pattern, conf, headline, ev, List.of(), Optional.empty(), List.of(), Optional.empty(),
                List.of(), fix, List.of(), List.of(), Diagnosis.Basis.NONE);
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    static boolean isAlive(Goroutine g) {
        return g.status().kind() != GoStatus.Kind.DEAD;
    }

    static String name(Frame f) {
        return f.function();
    }
}
