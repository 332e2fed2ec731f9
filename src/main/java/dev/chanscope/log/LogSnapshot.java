package dev.chanscope.log;

import dev.chanscope.arch.Instruction;
import dev.chanscope.binary.FunctionFlow;
import dev.chanscope.binary.ScannedBinary;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.PanicKind;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.PanicSite;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.goruntime.PhysicalFrame;
import dev.chanscope.goruntime.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Builds the diagnosis's model, a {@link Snapshot}, from a crash log's {@link Traceback}: the
 * goroutines with their states and frames, the panic and the panicking goroutine, the channel
 * address where the runtime printed it. With the binary, every frame is placed in it (the
 * function's entry in the pclntab + the printed offset), expanded with the pclntab's inline
 * tree like a core's frames, and checked ({@link BinaryCheck}).
 *
 * What a log cannot give stays empty: no hchan (the channel's state, queues and woken senders),
 * no goroutine that exited, no stack memory (so no goroutine holds the channel as far as the
 * model says). {@link #absent} lists it for the report and the confidence cap.
 */
public final class LogSnapshot {
    /** The binary's side: its pclntab and the scan of its code. */
    public record Binary(Pclntab pclntab, ScannedBinary facts) {}

    /**
     * @param channel the channel's address as the runtime printed it (first argument of chansend
     *                or closechan; GOTRACEBACK=system or crash only)
     * @param absent  what a core would have added
     */
    public record Result(Snapshot snapshot, Optional<BinaryCheck> check, OptionalLong channel, List<String> absent,
                         String level) {}

    /** Runtime functions whose call in a user frame is the channel operation that panicked. */
    /** The layouts field of a log's report: a log reads no runtime structure, so none were needed. */
    public static final String NO_LAYOUTS = "none (a crash log: no runtime memory was read)";

    private static final Set<String> CHANNEL_OPS = Set.of("runtime.chansend1", "runtime.chansend", "runtime.closechan",
            "runtime.selectgo", "runtime.selectnbsend");

    private final Traceback t;
    private final Optional<Binary> bin;
    private final Map<String, List<Pclntab.FuncInfo>> byPrinted = new HashMap<>();
    private int checked;
    private int unchecked;
    private final List<String> mismatches = new ArrayList<>();

    private LogSnapshot(Traceback t, Optional<Binary> bin) {
        this.t = t;
        this.bin = bin;
        bin.ifPresent(b -> b.pclntab().functions().forEach(f ->
                byPrinted.computeIfAbsent(Pclntab.printName(f.name()), k -> new ArrayList<>(1)).add(f)));
    }

    /** @param target how the report names the input ("log app.log") */
    public static Result build(Traceback t, Optional<Binary> bin, String target) {
        return new LogSnapshot(t, bin).build(target);
    }

    private Result build(String target) {
        List<Goroutine> gs = new ArrayList<>();
        for (TracebackGoroutine g : t.userGoroutines()) {
            gs.add(goroutine(g));
        }
        Optional<BinaryCheck> check = bin.map(b -> new BinaryCheck(checked, unchecked, mismatches));
        PanicRecord panic = panic(gs);
        OptionalLong channel = channelAddress(gs, panic);
        Map<Long, Long> waitingOn = new LinkedHashMap<>();
        for (Goroutine g : gs) {
            for (Frame f : g.frames()) {
                if (f.function().equals("runtime.chansend") || f.function().equals("runtime.chanrecv")) {
                    firstWord(g, f).ifPresent(a -> waitingOn.put(g.id(), a));
                    break;
                }
            }
        }
        List<String> warnings = new ArrayList<>();
        check.filter(c -> !c.matches() && !c.mismatches().isEmpty()).ifPresent(c -> warnings.add(c.describe()));
        if (gs.isEmpty() || gs.stream().allMatch(g -> g.frames().isEmpty())) {
            // A core with no goroutines is refused; a log without a stack still shows the panic,
            // but the report is partial (exit 1), not only capped.
            warnings.add("the log holds no goroutine's stack (the traceback is cut, or GOTRACEBACK=none):"
                    + " the victim and the closer are guesses from the binary alone");
        }
        t.userGoroutines().stream().filter(TracebackGoroutine::elided).findFirst().ifPresent(g ->
                warnings.add("the runtime elided frames of goroutine " + g.id() + " (more than 100 frames)"));
        String version = bin.flatMap(b -> b.facts().buildInfo()).map(b -> b.goVersion()).orElse("unknown");
        Snapshot s = new Snapshot(version, target, Optional.of(panic), Optional.empty(), List.copyOf(gs),
                waitingOn, List.copyOf(warnings), NO_LAYOUTS);
        return new Result(s, check, channel, absent(panic), t.level());
    }

    // ---- goroutines ----

    private Goroutine goroutine(TracebackGoroutine g) {
        List<PhysicalFrame> stack = new ArrayList<>();
        List<Frame> frames = new ArrayList<>();
        List<TracebackFrame> group = new ArrayList<>();
        boolean trappedNext = false;
        for (TracebackFrame f : g.frames()) {
            group.add(f);
            if (f.inlined()) {
                continue; // an inlined call: its physical frame is the next non-inlined one
            }
            // The pc is the interrupted instruction, not a return address: after sigpanic, and in the
            // innermost frame of a goroutine a fatal signal stopped while it ran.
            boolean trapped = trappedNext || stack.isEmpty() && frames.isEmpty() && g.state().equals("running")
                    && !t.signals().isEmpty() && t.panics().isEmpty();
            Optional<PhysicalFrame> p = physical(group, trapped);
            if (p.isPresent()) {
                stack.add(p.get());
                frames.addAll(p.get().logical());
            } else {
                for (TracebackFrame x : group) {
                    frames.add(new Frame(x.symbol(), x.file(), x.line(), x.pc().orElse(0), x.inlined()));
                }
            }
            trappedNext = f.symbol().equals("runtime.sigpanic");
            group.clear();
        }
        for (TracebackFrame x : group) {
            frames.add(new Frame(x.symbol(), x.file(), x.line(), x.pc().orElse(0), x.inlined()));
        }
        Optional<Frame> created = g.createdBy().map(c -> {
            Optional<Pclntab.FuncInfo> fn = bin.flatMap(b -> resolve(c.function(), c.offset(), OptionalLong.of(c.line())));
            if (bin.isPresent() && fn.isEmpty()) {
                mismatches.add("created by " + c.function() + ": not a function of the binary");
            }
            long pc = fn.map(f -> checkCreator(f, c)).orElse(0L);
            return new Frame(c.function(), c.file(), c.line(), pc, false);
        });
        GoStatus status = status(g);
        String reason = status.kind() == GoStatus.Kind.WAITING && !g.state().equals("waiting") ? g.state() : "";
        return new Goroutine(g.gp().orElse(0), g.id(), status, reason, 0, created, g.createdBy().map(c -> c.parentId())
                .orElse(0L), startFunction(g, stack, frames), -1, g.lockedToThread(), 0, 0, "log", List.copyOf(stack),
                List.copyOf(frames), g.unavailable() ? Optional.of("the runtime did not print its stack (running on"
                + " another thread)") : Optional.empty());
    }

    /** The physical frame of a group (inlined calls, then the function they were inlined into), placed in the binary. */
    private Optional<PhysicalFrame> physical(List<TracebackFrame> group, boolean trapped) {
        if (bin.isEmpty()) {
            return Optional.empty();
        }
        TracebackFrame last = group.get(group.size() - 1);
        Optional<Pclntab.FuncInfo> fn = resolve(last.function(), last.offset(), OptionalLong.of(last.line()));
        if (fn.isEmpty()) {
            mismatches.add(last.function() + " is not a function of the binary");
            return Optional.empty();
        }
        Pclntab pcln = bin.get().pclntab();
        long pc = fn.get().entry() + last.offset().orElse(0);
        if (!fn.get().contains(pc) && pc != fn.get().end()) {
            mismatches.add(String.format("%s+0x%x is past the function's end", last.function(), last.offset().orElse(0)));
            return Optional.empty();
        }
        if (last.offset().isEmpty()) {
            unchecked++;
        } else {
            Optional<FunctionFlow> flow = bin.get().facts().flow(fn.get().name());
            Optional<Instruction> at = flow.flatMap(x -> x.at(pc));
            if (flow.isEmpty()) {
                unchecked++;
            } else if (at.isEmpty()) {
                mismatches.add(String.format("%s+0x%x is not an instruction boundary", last.function(),
                        last.offset().getAsLong()));
                return Optional.empty();
            } else {
                // the physical function's own line: the last of the inline expansion
                int line = outerLine(pcln.frames(fn.get(), Pclntab.symbolPc(fn.get(), pc, trapped)));
                int exact = outerLine(pcln.frames(fn.get(), pc));
                if (line != last.line() && exact != last.line()) {
                    mismatches.add(String.format("%s+0x%x is line %d in the binary, %d in the log", last.function(),
                            last.offset().getAsLong(), line, last.line()));
                    return Optional.empty();
                }
                checked++;
            }
        }
        long sym = Pclntab.symbolPc(fn.get(), pc, trapped);
        long sp = last.sp().orElse(0);
        List<Frame> logical = new ArrayList<>();
        for (Pclntab.SourceFrame sf : pcln.frames(fn.get(), sym)) {
            logical.add(new Frame(sf.function(), sf.file(), sf.line(), pc, sf.inlined()));
        }
        return Optional.of(new PhysicalFrame(fn.get(), pc, sp, last.fp().orElse(0), List.copyOf(logical)));
    }

    /**
     * The {@code go} statement's return address (g.gopc: entry + the printed offset), checked like
     * a frame: an instruction boundary at the printed line. At the default level it may be the
     * only offset of a stack made of inlined calls.
     */
    private long checkCreator(Pclntab.FuncInfo fn, TracebackGoroutine.CreatedBy c) {
        long pc = fn.entry() + c.offset().orElse(0);
        if (c.offset().isEmpty() || bin.isEmpty()) {
            return pc;
        }
        Optional<FunctionFlow> flow = bin.get().facts().flow(fn.name());
        if (flow.isEmpty()) {
            unchecked++;
        } else if (flow.get().at(pc).isEmpty() && pc != fn.end()) {
            mismatches.add(String.format("created by %s+0x%x is not an instruction boundary", c.function(),
                    c.offset().getAsLong()));
        } else if (outerLine(bin.get().pclntab().frames(fn, pc - 1)) != c.line()
                && bin.get().pclntab().frames(fn, pc - 1).stream().noneMatch(f -> f.line() == c.line())) {
            mismatches.add(String.format("created by %s+0x%x is line %d in the binary, %d in the log", c.function(),
                    c.offset().getAsLong(), outerLine(bin.get().pclntab().frames(fn, pc - 1)), c.line()));
        } else {
            checked++;
        }
        return pc;
    }

    private static int outerLine(List<Pclntab.SourceFrame> frames) {
        return frames.isEmpty() ? -1 : frames.get(frames.size() - 1).line();
    }

    /**
     * The binary's function printed as {@code printed}: by name, and for a generic function
     * ({@code [...]} stands for its shape arguments) the instance whose code fits the offset and line.
     */
    private Optional<Pclntab.FuncInfo> resolve(String printed, OptionalLong offset, OptionalLong line) {
        List<Pclntab.FuncInfo> c = byPrinted.getOrDefault(printed, List.of());
        if (c.size() <= 1 || offset.isEmpty()) {
            return c.stream().findFirst();
        }
        Pclntab pcln = bin.get().pclntab();
        for (Pclntab.FuncInfo f : c) {
            long pc = f.entry() + offset.getAsLong();
            if (f.contains(pc) && (line.isEmpty() || pcln.line(f, pc - 1).line() == line.getAsLong())) {
                return Optional.of(f);
            }
        }
        return c.stream().findFirst();
    }

    private static GoStatus status(TracebackGoroutine g) {
        String s = g.state();
        GoStatus.Kind kind = switch (s) {
            case "idle" -> GoStatus.Kind.IDLE;
            case "runnable" -> GoStatus.Kind.RUNNABLE;
            case "running" -> GoStatus.Kind.RUNNING;
            case "syscall" -> GoStatus.Kind.SYSCALL;
            case "dead" -> GoStatus.Kind.DEAD;
            case "copystack" -> GoStatus.Kind.COPYSTACK;
            case "preempted" -> GoStatus.Kind.PREEMPTED;
            default -> GoStatus.Kind.WAITING; // the runtime prints the wait reason instead of "waiting"
        };
        String name = kind == GoStatus.Kind.WAITING ? "waiting" : s;
        return new GoStatus(-1, name, kind, g.scan());
    }

    /**
     * The function the goroutine started in, as {@code g.startpc} names it: the outermost frame
     * (above runtime.goexit); runtime.main for goroutine 1. Unknown ("") when frames were elided.
     */
    private static String startFunction(TracebackGoroutine g, List<PhysicalFrame> stack, List<Frame> frames) {
        if (g.id() == 1) {
            return "runtime.main";
        }
        if (g.elided() || frames.isEmpty()) {
            return "";
        }
        List<String> outer = new ArrayList<>();
        if (!stack.isEmpty()) {
            stack.forEach(p -> outer.add(p.function()));
        } else {
            frames.stream().filter(f -> !f.inlined()).forEach(f -> outer.add(f.function()));
        }
        for (int i = outer.size() - 1; i >= 0; i--) {
            if (!outer.get(i).equals("runtime.goexit")) {
                return outer.get(i);
            }
        }
        return "";
    }

    // ---- the panic ----

    private PanicRecord panic(List<Goroutine> gs) {
        Optional<Goroutine> first = gs.stream().findFirst();
        if (t.panics().isEmpty()) {
            if (t.fatalError().isPresent()) {
                return new PanicRecord(first.map(Goroutine::id).orElse(0L), "fatal error: " + t.fatalError().get(),
                        PanicKind.OTHER, PanicSite.OTHER, Optional.empty(), first.flatMap(LogSnapshot::firstUserFrame),
                        List.of());
            }
            String sig = t.signals().stream().findFirst().map(s -> s.name() + ": " + s.description())
                    .orElse("no Go panic and no fatal signal");
            return new PanicRecord(0, sig + " (no Go panic was in flight)", PanicKind.OTHER, PanicSite.OTHER,
                    Optional.empty(), Optional.empty(), List.of());
        }
        List<PanicRecord.ChainEntry> chain = new ArrayList<>();
        for (int i = t.panics().size() - 1; i >= 0; i--) { // printed oldest first; the record keeps newest first
            Traceback.PanicLine p = t.panics().get(i);
            chain.add(new PanicRecord.ChainEntry(p.message(), p.recovered(), p.repanicked(), false));
        }
        String message = chain.get(0).message();
        PanicKind kind = PanicKind.of(message);
        if (first.isEmpty()) {
            return new PanicRecord(0, message, kind, PanicSite.OTHER, Optional.empty(), Optional.empty(), chain);
        }
        Goroutine g = first.get();
        Optional<Frame> runtimeFrame = g.frames().stream().filter(f -> f.function().equals("runtime.chansend")
                || f.function().equals("runtime.closechan") || f.function().equals("runtime.selectgo")).findFirst();
        Optional<Frame> user = victim(g, chain);
        PanicSite site = kind.isChannelPanic() ? site(g, runtimeFrame, user) : PanicSite.OTHER;
        return new PanicRecord(g.id(), message, kind, site, runtimeFrame, user, chain);
    }

    /**
     * The user frame that made the channel operation. With the runtime frames printed, the first
     * user frame below chansend/closechan/selectgo, as in a core. With the binary, the first user
     * frame whose call is a channel operation. Otherwise the user frame below the gopanic that
     * the operation started: the outermost one when the chain holds a recovered channel panic
     * (a deferred function that re-panics sits above it), else the innermost.
     */
    private Optional<Frame> victim(Goroutine g, List<PanicRecord.ChainEntry> chain) {
        List<Frame> fs = g.frames();
        for (int i = 0; i < fs.size(); i++) {
            String fn = fs.get(i).function();
            if (fn.equals("runtime.chansend") || fn.equals("runtime.closechan") || fn.equals("runtime.selectgo")) {
                for (int k = i + 1; k < fs.size(); k++) {
                    if (!isRuntime(fs.get(k).function())) {
                        return Optional.of(fs.get(k));
                    }
                }
            }
        }
        if (bin.isPresent()) {
            for (PhysicalFrame p : g.stack()) {
                if (isRuntime(p.function())) {
                    continue;
                }
                Optional<String> callee = callee(p);
                if (callee.isPresent() && CHANNEL_OPS.contains(callee.get())) {
                    // the innermost logical frame: where the send or close is written
                    return Optional.of(p.logical().get(0));
                }
            }
        }
        int panicAt = -1;
        boolean recoveredChannel = chain.size() > 1 && PanicKind.of(chain.get(chain.size() - 1).message()).isChannelPanic();
        for (int i = 0; i < fs.size(); i++) {
            if (fs.get(i).function().equals("runtime.gopanic")) {
                panicAt = i;
                if (!recoveredChannel) {
                    break;
                }
            }
        }
        for (int k = panicAt + 1; k < fs.size(); k++) {
            if (!isRuntime(fs.get(k).function())) {
                return Optional.of(fs.get(k));
            }
        }
        return Optional.empty();
    }

    /** The function a frame's call went to: the CALL just before its return address. */
    private Optional<String> callee(PhysicalFrame p) {
        return bin.flatMap(b -> b.facts().flow(p.function()).flatMap(f -> f.callReturningTo(p.pc()))
                .filter(i -> i.flow() == Instruction.Flow.CALL).flatMap(i -> b.facts().functionAt(i.target())));
    }

    /**
     * Which runtime check raised the panic: as in a core, from the runtime's frame (chansend's
     * panicking line against the line of its own call to gopark, found in its machine code);
     * without the runtime's frames, from what the victim's call went to, when that decides it.
     */
    private PanicSite site(Goroutine g, Optional<Frame> rtFrame, Optional<Frame> user) {
        if (rtFrame.isPresent()) {
            String fn = rtFrame.get().function();
            if (fn.equals("runtime.closechan")) {
                return PanicSite.CLOSECHAN;
            }
            if (fn.equals("runtime.selectgo")) {
                return PanicSite.SELECTGO;
            }
            List<Frame> fs = g.frames();
            int i = fs.indexOf(rtFrame.get());
            if (i + 1 < fs.size() && fs.get(i + 1).function().equals("runtime.selectnbsend")) {
                return PanicSite.SELECTNBSEND;
            }
            return chansendSite(g, rtFrame.get());
        }
        if (bin.isPresent() && user.isPresent()) {
            for (PhysicalFrame p : g.stack()) {
                if (p.logical().contains(user.get())) {
                    Optional<String> callee = callee(p);
                    if (callee.isPresent()) {
                        return switch (callee.get()) {
                            case "runtime.closechan" -> PanicSite.CLOSECHAN;
                            case "runtime.selectgo" -> PanicSite.SELECTGO;
                            case "runtime.selectnbsend" -> PanicSite.SELECTNBSEND;
                            default -> PanicSite.OTHER; // chansend1: which of its two checks, only its frame says
                        };
                    }
                }
            }
        }
        return PanicSite.OTHER;
    }

    /** chansend panics before parking or after gopark returns; the lines of its gopark calls tell which. */
    private PanicSite chansendSite(Goroutine g, Frame chansend) {
        if (bin.isEmpty()) {
            return PanicSite.OTHER;
        }
        Pclntab pcln = bin.get().pclntab();
        Optional<Pclntab.FuncInfo> cs = pcln.funcByName("runtime.chansend");
        Optional<Pclntab.FuncInfo> gopark = pcln.funcByName("runtime.gopark");
        Optional<FunctionFlow> flow = bin.get().facts().flow("runtime.chansend");
        if (cs.isEmpty() || gopark.isEmpty() || flow.isEmpty()) {
            return PanicSite.OTHER;
        }
        int parkLine = flow.get().instructions().stream()
                .filter(i -> i.flow() == Instruction.Flow.CALL && i.target() == gopark.get().entry())
                .mapToInt(i -> pcln.line(cs.get(), i.pc()).line()).max().orElse(-1);
        if (parkLine < 0) {
            return PanicSite.OTHER;
        }
        return chansend.line() > parkLine ? PanicSite.CHANSEND_AFTER_PARK : PanicSite.CHANSEND_FIRST_CHECK;
    }

    // ---- the channel ----

    private OptionalLong channelAddress(List<Goroutine> gs, PanicRecord p) {
        Optional<Goroutine> g = gs.stream().filter(x -> x.id() == p.goroutineId()).findFirst();
        if (g.isEmpty() || !p.kind().isChannelPanic() || p.runtimeFrame().isEmpty()) {
            return OptionalLong.empty();
        }
        String fn = p.runtimeFrame().get().function();
        if (!fn.equals("runtime.chansend") && !fn.equals("runtime.closechan")) {
            return OptionalLong.empty(); // selectgo's first argument is the case array, not a channel
        }
        return firstWord(g.get(), p.runtimeFrame().get());
    }

    /** The printed first argument of the goroutine's frame {@code f}. */
    private OptionalLong firstWord(Goroutine g, Frame f) {
        Optional<TracebackGoroutine> tg = t.userGoroutines().stream().filter(x -> x.id() == g.id()).findFirst();
        if (tg.isEmpty()) {
            return OptionalLong.empty();
        }
        for (TracebackFrame x : tg.get().frames()) {
            if (x.symbol().equals(f.function()) && x.line() == f.line()) {
                return x.firstWord();
            }
        }
        return OptionalLong.empty();
    }

    private static Optional<Frame> firstUserFrame(Goroutine g) {
        return g.frames().stream().filter(f -> !isRuntime(f.function())).findFirst();
    }

    static boolean isRuntime(String fn) {
        return fn.startsWith("runtime.") || fn.startsWith("internal/") || fn.equals("panic");
    }

    // ---- what a core would add ----

    private List<String> absent(PanicRecord p) {
        List<String> out = new ArrayList<>();
        String level = t.level();
        if (p.kind().isChannelPanic() && p.kind() != PanicKind.CLOSE_OF_NIL) {
            out.add("the channel's runtime.hchan: its element type and buffer, the goroutines parked in its send"
                    + " and receive queues, and the senders the close woke (only memory holds them)");
        }
        out.add("the goroutines that exited: a core keeps them in runtime.allgs with the function each started in,"
                + " which shows whether a closing goroutine already ran");
        out.add("the goroutines whose stacks hold the channel (a scan of stack memory ties closers to it)");
        if (level.equals("single") || level.equals("none")) {
            out.add("the other goroutines: GOTRACEBACK=" + level + " prints " + (level.equals("none") ? "none" : "only the"
                    + " panicking one") + "; all, system or crash print every goroutine");
        }
        if (!level.equals("system") && !level.equals("crash") && p.kind().isChannelPanic()) {
            out.add("the runtime's frames and their arguments (GOTRACEBACK=system or crash prints them): the channel's"
                    + " address and which check of chansend raised the panic");
        }
        return List.copyOf(out);
    }
}
