package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.proc.ThreadContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the panicking goroutine, decodes its {@code _panic} chain and the runtime site. */
public final class PanicReader {
    /** reflect.Kind values (public API, unchanged since Go 1). */
    private static final int KIND_BOOL = 1, KIND_INT = 2, KIND_UINTPTR = 12, KIND_STRING = 24;

    private final GoRuntime rt;
    private final Memory mem;

    public PanicReader(GoRuntime rt) {
        this.rt = rt;
        this.mem = rt.memory();
    }

    /** The goroutine that is panicking: running with a _panic, preferring the crashing thread's. */
    public Optional<Goroutine> panicking(List<Goroutine> gs, List<ThreadContext> threads) {
        int crashLwp = threads.isEmpty() ? -1 : threads.get(0).lwp();
        Optional<Goroutine> best = Optional.empty();
        for (Goroutine g : gs) {
            if (g.panicAddress() == 0 || g.status().kind() == GoStatus.Kind.DEAD) {
                continue;
            }
            if (g.threadLwp() == crashLwp && crashLwp >= 0) {
                return Optional.of(g);
            }
            if (best.isEmpty() || g.status().kind() == GoStatus.Kind.RUNNING) {
                best = Optional.of(g);
            }
        }
        return best;
    }

    public PanicRecord read(Goroutine g) {
        List<PanicRecord.ChainEntry> chain = new ArrayList<>();
        GoLayouts.Panic pl = rt.layouts().panic();
        long p = g.panicAddress();
        for (int i = 0; p != 0 && i < 64; i++) {
            String msg = value(mem.u64(p + pl.arg()), mem.u64(p + pl.arg() + 8));
            chain.add(new PanicRecord.ChainEntry(msg, flag(p, pl.recovered()), flag(p, pl.repanicked()),
                    flag(p, pl.goexit())));
            p = mem.u64(p + pl.link());
        }
        String message = chain.isEmpty() ? "" : chain.get(0).message();
        PanicKind kind = PanicKind.of(message);
        Optional<PhysicalFrame> rtFrame = channelFrame(g);
        PanicSite site = kind.isChannelPanic() ? rtFrame.map(f -> site(g, f)).orElse(PanicSite.OTHER) : PanicSite.OTHER;
        return new PanicRecord(g.id(), message, kind, site,
                rtFrame.map(f -> f.logical().get(f.logical().size() - 1)),
                rtFrame.flatMap(f -> userFrameBelow(g, f)).or(() -> userFrame(g)), List.copyOf(chain));
    }

    /** A crash with no Go panic: a fatal error (runtime.throw) or a signal. */
    public PanicRecord fatalWithoutPanic(List<Goroutine> gs, String signalDescription) {
        for (Goroutine g : gs) {
            for (PhysicalFrame f : g.stack()) {
                if (f.function().equals("runtime.throw") || f.function().equals("runtime.fatal")) {
                    try {
                        String s = mem.goString(mem.u64(f.argp()), mem.u64(f.argp() + 8), 4096);
                        return new PanicRecord(g.id(), "fatal error: " + s, PanicKind.OTHER, PanicSite.OTHER,
                                Optional.empty(), userFrame(g), List.of());
                    } catch (MemoryAccessException | IllegalArgumentException e) {
                        break;
                    }
                }
            }
        }
        return new PanicRecord(0, signalDescription, PanicKind.OTHER, PanicSite.OTHER, Optional.empty(),
                Optional.empty(), List.of());
    }

    private boolean flag(long p, long off) {
        return off >= 0 && mem.u8(p + off) != 0;
    }

    /** Formats a panic value the way printpanicval does for the kinds a crash leaves behind. */
    String value(long type, long data) {
        if (type == 0) {
            return "nil";
        }
        try {
            int kind = rt.typeKind(type);
            String name = rt.typeName(type);
            if (kind == KIND_STRING) {
                String s = mem.goString(mem.u64(data), mem.u64(data + 8), 4096);
                // runtime error types (plainError, errorString) print as their text; a re-panicked
                // recovered value keeps its runtime type because preprintpanics saw it as repanicked
                return name.equals("string") || name.startsWith("runtime.") ? s : name + "(\"" + s + "\")";
            }
            if (kind >= KIND_INT && kind <= KIND_UINTPTR) {
                long size = rt.typeSize(type);
                long v = mem.uint(data, (int) size);
                boolean signed = kind <= KIND_INT + 4;
                if (signed && size < 8) {
                    v = (v << (64 - 8 * size)) >> (64 - 8 * size);
                }
                String num = signed ? Long.toString(v) : Long.toUnsignedString(v);
                return name.matches("u?int(8|16|32|64)?|uintptr") ? num : name + "(" + num + ")";
            }
            if (kind == KIND_BOOL) {
                return String.valueOf(mem.u8(data) != 0);
            }
            return String.format("(%s) 0x%x", name, data);
        } catch (MemoryAccessException | IllegalArgumentException e) {
            // unreadable, or a damaged type descriptor (an integer kind of size 3)
            return String.format("(unreadable panic value at 0x%x)", data);
        }
    }

    private static Optional<PhysicalFrame> channelFrame(Goroutine g) {
        for (PhysicalFrame f : g.stack()) {
            switch (f.function()) {
                case "runtime.chansend", "runtime.closechan", "runtime.selectgo" -> {
                    return Optional.of(f);
                }
                default -> { }
            }
        }
        return Optional.empty();
    }

    /** The first frame of user code: not runtime, not a reflect or internal trampoline. */
    static Optional<Frame> userFrame(Goroutine g) {
        return g.frames().stream().filter(f -> !isRuntime(f.function())).findFirst();
    }

    /** The first user frame below (calling) the runtime's channel frame: the send or close statement. */
    private static Optional<Frame> userFrameBelow(Goroutine g, PhysicalFrame channelFrame) {
        int i = g.stack().indexOf(channelFrame);
        for (int k = i + 1; k < g.stack().size(); k++) {
            List<Frame> logical = g.stack().get(k).logical();
            for (Frame f : logical) {
                if (!isRuntime(f.function())) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    static boolean isRuntime(String fn) {
        return fn.startsWith("runtime.") || fn.startsWith("internal/") || fn.equals("panic");
    }

    private PanicSite site(Goroutine g, PhysicalFrame f) {
        switch (f.function()) {
            case "runtime.closechan":
                return PanicSite.CLOSECHAN;
            case "runtime.selectgo":
                return PanicSite.SELECTGO;
            default:
                break;
        }
        int idx = g.stack().indexOf(f);
        if (idx + 1 < g.stack().size() && g.stack().get(idx + 1).function().equals("runtime.selectnbsend")) {
            return PanicSite.SELECTNBSEND;
        }
        // chansend panics in two places: before parking (channel already closed) and after gopark
        // returns with success == false. The line of the panicking call relative to chansend's own
        // call to gopark tells which.
        Pclntab pcln = rt.pclntab();
        Optional<Pclntab.FuncInfo> gopark = pcln.funcByName("runtime.gopark");
        if (gopark.isEmpty()) {
            return PanicSite.OTHER;
        }
        List<Long> calls = CallSites.callsTo(mem, f.func(), gopark.get().entry(), rt.target().machine());
        if (calls.isEmpty()) {
            return PanicSite.OTHER;
        }
        int panicLine = pcln.line(f.func(), f.pc() - 1).line();
        // chansend parks twice: forever on a nil channel (early) and on a full channel (late).
        // Only a panic after the last park is the after-park site.
        int parkLine = calls.stream().mapToInt(a -> pcln.line(f.func(), a).line()).max().orElse(Integer.MAX_VALUE);
        return panicLine > parkLine ? PanicSite.CHANSEND_AFTER_PARK : PanicSite.CHANSEND_FIRST_CHECK;
    }
}
