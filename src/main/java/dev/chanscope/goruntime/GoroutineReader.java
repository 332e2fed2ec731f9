package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.proc.ThreadContext;
import dev.chanscope.proc.NativeFrame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Enumerates {@code runtime.allgs} and unwinds each goroutine. Each g is read with one bulk
 * read of the whole struct and decoded from the buffer, so the cost per goroutine is one read
 * plus its stack walk.
 *
 * <p>Memory the core does not hold (a truncated core, a damaged one) never ends the listing:
 * a goroutine whose g or stack cannot be read becomes a warning ({@link #warnings()}), and only
 * an unreadable {@code runtime.allgs} is an error, since then there is nothing to list.
 */
public final class GoroutineReader {
    /** The stack error of a goroutine whose stack memory is not in the core. */
    public static final String STACK_UNREADABLE = "stack unreadable (core truncated?)";
    /** Unreadable g structs are warned about one by one up to this many, then counted. */
    private static final int MAX_G_WARNINGS = 20;
    /** No goroutine stack grows past this (the runtime's maxstacksize is 1 GB on 64-bit). */
    private static final long MAX_STACK = 1L << 31;

    private final GoRuntime rt;
    private final Memory mem;
    private final GoLayouts.G gl;
    private final StackUnwinder unwinder;
    /** Offset of g.sched.lr where the architecture has a link register (arm64), else -1. */
    private final long schedLr;
    private final CompactStack.Shapes shapes = new CompactStack.Shapes();
    private final int maxFrames;
    private final int parkedDepth;
    private final Map<Long, Optional<Frame>> creatorCache = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private int unreadable;

    public GoroutineReader(GoRuntime rt, int maxFrames) {
        this(rt, maxFrames, -1);
    }

    /**
     * @param parkedDepth when 0 or more, a parked goroutine (waiting, on no thread, not
     *                    panicking) is unwound only to {@code parkedDepth + 1} physical frames:
     *                    {@code goroutines -t N} prints N frames of it, and nothing else reads it
     */
    public GoroutineReader(GoRuntime rt, int maxFrames, int parkedDepth) {
        this.rt = rt;
        this.mem = rt.memory();
        this.gl = rt.layouts().g();
        OptionalLong restorer = rt.symbol("runtime.sigreturn__sigaction");
        if (restorer.isEmpty()) {
            restorer = rt.symbol("runtime.sigreturn");
        }
        dev.chanscope.arch.FrameConvention conv = frameConvention(rt.target().machine());
        this.unwinder = new StackUnwinder(rt.pclntab(), mem, restorer, conv);
        this.schedLr = conv.linkRegister() ? schedLrOffset(rt) : -1;
        this.maxFrames = maxFrames;
        this.parkedDepth = parkedDepth;
    }

    /** A thread's M: which goroutine it runs and its signal stack. */
    private record MInfo(long address, long procId, long curg, long g0, long gsignal) {}

    /** Goroutines listed in allgs whose g could not be read (they are missing from the result). */
    public int unreadable() {
        return unreadable;
    }

    /** What could not be read during {@link #readAll}, one line each. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * @throws RuntimeLayoutException (BAD_INPUT) when runtime.allgs itself cannot be read
     */
    public List<Goroutine> readAll(List<ThreadContext> threads) {
        Map<Long, MInfo> msByCurg = new HashMap<>();
        Map<Long, ThreadContext> threadsByLwp = new HashMap<>();
        for (ThreadContext t : threads) {
            threadsByLwp.put((long) t.lwp(), t);
        }
        for (MInfo m : allMs()) {
            if (m.curg != 0) {
                msByCurg.put(m.curg, m);
            }
        }
        long allgs = rt.requireSymbol("runtime.allgs");
        long arr;
        long n;
        long cap;
        try {
            arr = mem.u64(allgs);
            n = mem.u64(allgs + 8);
            cap = mem.u64(allgs + 16);
        } catch (MemoryAccessException e) {
            throw new RuntimeLayoutException("runtime.allgs cannot be read (" + e.getMessage()
                    + "), so no goroutine can be listed");
        }
        if (n < 0 || n > 50_000_000) {
            throw new RuntimeLayoutException("runtime.allgs has an impossible length " + n + ": the core is damaged");
        }
        if (Long.compareUnsigned(n, cap) > 0) {
            // A slice's length never exceeds its capacity. A damaged length (one flipped byte
            // made 5.9 million of 32) would have the array read far past its end, megabytes at
            // a time; the capacity is what the runtime allocated, so read no further.
            warnings.add(Snapshot.IMPLAUSIBLE + "runtime.allgs holds " + n + " goroutines but has room for " + cap
                    + "; a slice's length is never above its capacity (only the first " + cap + " are read)");
            n = cap;
        }
        if (n == 0) {
            warnings.add(Snapshot.IMPLAUSIBLE + "runtime.allgs lists no goroutine, and a Go program always has"
                    + " goroutine 1 (a damaged core, or memory read from the wrong place)");
        }
        OptionalLong allglen = rt.symbol("runtime.allglen");
        if (allglen.isPresent()) {
            try {
                long len = mem.u64(allglen.getAsLong());
                if (len != n) {
                    warnings.add(Snapshot.IMPLAUSIBLE + "runtime.allglen is " + len + " but runtime.allgs holds " + n
                            + " goroutines; the runtime keeps them equal");
                }
            } catch (MemoryAccessException e) {
                // allgs itself was readable; the check is just not made
            }
        }
        long[] ptrs = gPointers(arr, (int) n);
        List<Goroutine> out = new ArrayList<>((int) n);
        // primitive maps: at a million goroutines boxed sets and maps cost a hundred megabytes
        LongIntMap seenG = new LongIntMap(ptrs.length);
        LongIntMap ids = new LongIntMap(ptrs.length); // live goroutines per id (id 0 counted apart)
        int idZero = 0;
        int repeated = 0;
        boolean idRepeated = false; // the check below reads every id again: only when one repeats
        for (long gp : ptrs) {
            if (gp == 0) {
                continue;
            }
            if (seenG.get(gp) != LongIntMap.ABSENT) {
                repeated++; // the same g twice: list it once
                continue;
            }
            seenG.put(gp, 1);
            try {
                Goroutine g = read(gp, msByCurg, threadsByLwp);
                if (g.status().kind() != GoStatus.Kind.DEAD) {
                    if (g.id() == 0) {
                        idZero++;
                    } else {
                        int c = ids.get(g.id());
                        ids.put(g.id(), c == LongIntMap.ABSENT ? 1 : c + 1);
                        idRepeated |= c != LongIntMap.ABSENT;
                    }
                }
                out.add(g);
            } catch (MemoryAccessException e) {
                if (++unreadable <= MAX_G_WARNINGS) {
                    warnings.add(goroutineName(gp) + ": g unreadable (core truncated?): " + e.getMessage());
                }
            }
        }
        if (unreadable > MAX_G_WARNINGS) {
            warnings.add((unreadable - MAX_G_WARNINGS) + " more goroutines with an unreadable g (core truncated?)");
        }
        if (repeated > 0) {
            warnings.add(Snapshot.IMPLAUSIBLE + "runtime.allgs lists the same g " + repeated + " more time"
                    + (repeated == 1 ? "" : "s") + "; each g is in it once");
        }
        // in the order each repeated id was first seen, as the runtime would list them
        int reported = 0;
        LongIntMap said = new LongIntMap();
        for (int i = 0; (idRepeated || idZero > 1) && i < out.size() && reported < 5; i++) {
            Goroutine g = out.get(i);
            int c = g.id() == 0 ? idZero : ids.get(g.id());
            boolean first = g.id() == 0 ? said.get(-1) == LongIntMap.ABSENT : said.get(g.id()) == LongIntMap.ABSENT;
            if (g.status().kind() != GoStatus.Kind.DEAD && c > 1 && first) {
                said.put(g.id() == 0 ? -1 : g.id(), 1);
                reported++;
                warnings.add(Snapshot.IMPLAUSIBLE + "goroutine id " + g.id() + " is held by " + c
                        + " live goroutines; ids are unique");
            }
        }
        return out;
    }

    /** Pointers read at a time when the whole array cannot be: one page. */
    private static final int CHUNK = 512;

    /**
     * The g pointers of allgs[0:n]. Read in one go; when part of the array is missing, a page at
     * a time, so the goroutines whose pointers survive are still listed (a missing pointer is
     * left 0, which the caller skips). Not pointer by pointer: with a damaged length that is
     * millions of failing reads, each of which may go to gdb.
     */
    private long[] gPointers(long arr, int n) {
        long[] out = new long[n];
        try {
            ByteBuffer b = mem.buffer(arr, n * 8);
            for (int i = 0; i < n; i++) {
                out[i] = b.getLong(i * 8);
            }
            return out;
        } catch (MemoryAccessException whole) {
            int missing = 0;
            for (int i = 0; i < n; i += CHUNK) {
                int k = Math.min(CHUNK, n - i);
                try {
                    ByteBuffer b = mem.buffer(arr + 8L * i, k * 8);
                    for (int j = 0; j < k; j++) {
                        out[i + j] = b.getLong(j * 8);
                    }
                } catch (MemoryAccessException e) {
                    missing += k;
                }
            }
            if (missing == n) {
                throw new RuntimeLayoutException("runtime.allgs's array of " + n + " goroutine pointers cannot be read ("
                        + whole.getMessage() + "), so no goroutine can be listed");
            }
            warnings.add("runtime.allgs: " + missing + " of " + n
                    + " goroutine pointers unreadable (core truncated?); those goroutines are missing");
            return out;
        }
    }

    /** "goroutine 17" when at least the id can be read, else "goroutine at 0x…". */
    private String goroutineName(long gp) {
        try {
            return "goroutine " + mem.u64(gp + gl.goid());
        } catch (MemoryAccessException e) {
            return String.format("goroutine at 0x%x", gp);
        }
    }

    private List<MInfo> allMs() {
        GoLayouts.M ml = rt.layouts().m();
        List<MInfo> ms = new ArrayList<>();
        long m = 0;
        try {
            m = mem.u64(rt.requireSymbol("runtime.allm"));
            for (int guard = 0; m != 0 && guard < 100_000; guard++) {
                ByteBuffer b = mem.buffer(m, (int) ml.size());
                ms.add(new MInfo(m, b.getLong((int) ml.procId()), b.getLong((int) ml.curg()), b.getLong((int) ml.g0()),
                        b.getLong((int) ml.gsignal())));
                m = b.getLong((int) ml.allLink());
            }
        } catch (MemoryAccessException e) {
            // Without the M, a goroutine on a thread is not matched to that thread: it is
            // unwound from where it last parked instead of where the thread stopped.
            warnings.add((m == 0 ? "runtime.allm cannot be read" : String.format("runtime.allm: the M at 0x%x cannot be read", m))
                    + " (core truncated?); goroutines on the threads it lists are shown from their last saved state");
        }
        return ms;
    }

    private Goroutine read(long gp, Map<Long, MInfo> msByCurg, Map<Long, ThreadContext> threadsByLwp) {
        ByteBuffer b = ByteBuffer.wrap(mem.read(gp, (int) gl.size())).order(ByteOrder.LITTLE_ENDIAN);
        long goid = b.getLong((int) gl.goid());
        GoStatus status = rt.status(Integer.toUnsignedLong(b.getInt((int) gl.status())));
        int reason = Byte.toUnsignedInt(b.get((int) gl.waitReason()));
        long stackLo = b.getLong((int) gl.stackLo());
        long stackHi = b.getLong((int) gl.stackHi());
        long gopc = b.getLong((int) gl.gopc());
        long startPc = b.getLong((int) gl.startPc());
        long parent = gl.parentGoid() >= 0 ? b.getLong((int) gl.parentGoid()) : 0;
        long mAddr = b.getLong((int) gl.m());
        MInfo m = msByCurg.get(gp);
        ThreadContext thread = m != null && mAddr == m.address ? threadsByLwp.get(m.procId) : null;

        String source = "none";
        // The panicking, running and throwing goroutines are never parked: they keep every frame.
        boolean parked = status.kind() == GoStatus.Kind.WAITING && thread == null && b.getLong((int) gl.panic()) == 0;
        int limit = parkedDepth >= 0 && parked ? Math.min(maxFrames, parkedDepth + 1) : maxFrames;
        StackUnwinder.Stack stack = new StackUnwinder.Stack(List.of(), Optional.empty());
        if (status.name().startsWith("status ")) {
            warnings.add(Snapshot.IMPLAUSIBLE + "goroutine " + goid + " has status " + status.name().substring(7)
                    + ", which the runtime does not have");
        }
        boolean badBounds = status.kind() != GoStatus.Kind.DEAD && stackHi != 0
                && (Long.compareUnsigned(stackLo, stackHi) >= 0 || stackHi - stackLo > MAX_STACK);
        if (badBounds) {
            warnings.add(Snapshot.IMPLAUSIBLE + String.format("goroutine %d has the stack [0x%x, 0x%x), which no"
                    + " goroutine can have; it is shown without frames", goid, stackLo, stackHi));
        }
        if (status.kind() != GoStatus.Kind.DEAD && stackHi != 0 && !badBounds) {
            try {
                Start start = startOf(b, thread, m, stackLo, stackHi);
                if (start == null && thread == null && b.getLong((int) gl.syscallSp()) == 0
                        && b.getLong((int) gl.schedPc()) != 0) {
                    long sp = b.getLong((int) gl.schedSp());
                    warnings.add(Snapshot.IMPLAUSIBLE + String.format("goroutine %d: its saved stack pointer 0x%x is"
                            + " outside its stack [0x%x, 0x%x); it is shown without frames", goid, sp, stackLo, stackHi));
                }
                if (start != null) {
                    source = start.source;
                    stack = unwinder.unwind(start.pc, start.sp, start.lr, stackLo, stackHi, start.trap, limit);
                    if (stack.error().isPresent() && !mem.isReadable(start.sp, 8)) {
                        // Not a broken frame: the stack's memory is not in the core at all.
                        stack = new StackUnwinder.Stack(stack.frames(), Optional.of(STACK_UNREADABLE));
                    }
                }
            } catch (MemoryAccessException e) {
                stack = new StackUnwinder.Stack(stack.frames(), Optional.of(STACK_UNREADABLE));
            }
            if (thread != null && stack.frames().isEmpty()) {
                Optional<Start> viaGdb = gdbStart(thread, stackLo, stackHi);
                if (viaGdb.isPresent()) {
                    Start start = viaGdb.get();
                    source = start.source;
                    try {
                        stack = unwinder.unwind(start.pc, start.sp, stackLo, stackHi, start.trap, limit);
                    } catch (MemoryAccessException e) {
                        stack = new StackUnwinder.Stack(List.of(), Optional.of(STACK_UNREADABLE));
                    }
                }
            }
        }
        List<PhysicalFrame> phys = CompactStack.of(trimRuntimeEntry(stack.frames()), shapes);
        return new Goroutine(gp, goid, status,
                status.kind() == GoStatus.Kind.WAITING ? rt.waitReason(reason) : "",
                b.getLong((int) gl.waitSince()),
                // the runtime never shows goroutine 1's creator
                goid == 1 ? Optional.empty() : creator(gopc), parent, funcName(startPc),
                thread != null ? thread.lwp() : -1,
                b.getLong((int) gl.lockedM()) != 0,
                b.getLong((int) gl.panic()),
                b.getLong((int) gl.waiting()),
                source, phys, CompactStack.logicalFrames(phys), stack.error(),
                limit < maxFrames && stack.frames().size() == limit && stack.error().isEmpty()
                        && !StackUnwinder.isTopOfStack(stack.frames().get(limit - 1).function()));
    }

    private record Start(long pc, long sp, long lr, boolean trap, String source) {
        Start(long pc, long sp, boolean trap, String source) {
            this(pc, sp, 0, trap, source);
        }
    }

    /**
     * g.sched.lr: on a link-register machine a goroutine stopped in a frameless function (the
     * runtime's preemption saves it with gosave_systemstack_switch or asyncPreempt's path) returns
     * to it, as the runtime's traceback takes it ({@code unwinder.initAt}: {@code lr = gp.sched.lr}).
     * -1 when the debug information does not give it; the walk then reads 0(SP), as the runtime
     * does for an lr of 0.
     */
    private static long schedLrOffset(GoRuntime rt) {
        try {
            return new LayoutResolver(rt.target().types()).optionalSlot("runtime.g", "sched.lr")
                    .map(LayoutResolver.Slot::offset).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The frame layout of the target's architecture (ELF e_machine; 183 is EM_AARCH64). */
    static dev.chanscope.arch.FrameConvention frameConvention(int machine) {
        return machine == 183 ? new dev.chanscope.arch.arm64.Arm64Frames() : new dev.chanscope.arch.amd64.Amd64Frames();
    }

    /**
     * Where to start unwinding: g.syscallsp when it is set (a goroutine in a system call, or
     * just out of one), except for the goroutine that took the fatal signal; a goroutine on a
     * thread that took a signal (the crash, or the SIGQUIT the runtime sends other threads when
     * it crashes) resumes from the signal context when that context is on its own stack;
     * otherwise g.sched, which the runtime saved when it parked the goroutine or switched to the
     * system stack (as fatalpanic does).
     */
    private Start startOf(ByteBuffer b, ThreadContext thread, MInfo m, long lo, long hi) {
        // As the runtime's own traceback does (traceback.go, unwinder.initAt): g.syscallsp
        // whenever it is set, whatever the status, for every goroutine but the one that took the
        // fatal signal (printed from its signal context). A goroutine that left a system call
        // through exitsyscall's slow path is runnable with syscallsp still set until it runs
        // again, its g.sched pointing into the scheduler; one blocked in a system call on a
        // thread (signal_recv's futex) would otherwise show the frames below its syscall.
        long syscallSp = b.getLong((int) gl.syscallSp());
        List<ThreadContext> threads = rt.target().threads();
        boolean faulting = thread != null && !threads.isEmpty() && threads.get(0).lwp() == thread.lwp();
        if (syscallSp != 0 && !faulting) {
            return new Start(b.getLong((int) gl.syscallPc()), syscallSp, false, "syscall");
        }
        if (thread != null) {
            long tsp = thread.sp();
            if (tsp >= lo && tsp < hi) {
                return new Start(thread.pc(), tsp, thread.lr(), true, "thread");
            }
            Optional<long[]> ctx = signalStackBounds(m)
                    .flatMap(bounds -> unwinder.signalContext(thread.pc(), tsp, thread.lr(), bounds[0], bounds[1]));
            if (ctx.isPresent() && ctx.get()[0] >= lo && ctx.get()[0] < hi) {
                return new Start(ctx.get()[2], ctx.get()[0], ctx.get()[3], true, "signal-context");
            }
        }
        if (syscallSp != 0) {
            return new Start(b.getLong((int) gl.syscallPc()), syscallSp, false, "syscall");
        }
        long sp = b.getLong((int) gl.schedSp());
        long pc = b.getLong((int) gl.schedPc());
        if (pc != 0 && sp >= lo && sp < hi) {
            long lr = schedLr >= 0 && schedLr + 8 <= b.capacity() ? b.getLong((int) schedLr) : 0;
            return new Start(pc, sp, lr, false, "sched");
        }
        return null;
    }

    /**
     * The last resort for a goroutine on a thread whose stack our walk could not reach: gdb's
     * own unwinder (CFI, libc's tables, its signal-frame sniffers) for that thread, and the
     * first frame it finds on the goroutine's stack in Go code. The frame after gdb's
     * {@code <signal handler called>} is at the interrupted instruction.
     */
    private Optional<Start> gdbStart(ThreadContext thread, long lo, long hi) {
        List<NativeFrame> frames = rt.target().nativeFrames(thread.lwp());
        for (int i = 0; i < frames.size(); i++) {
            NativeFrame f = frames.get(i);
            if (!f.signal() && f.sp() >= lo && f.sp() < hi && rt.pclntab().funcAt(f.pc()).isPresent()) {
                boolean trap = i == 0 || frames.get(i - 1).signal();
                return Optional.of(new Start(f.pc(), f.sp(), trap, "gdb"));
            }
        }
        return Optional.empty();
    }

    /** [lo, hi) of the stack the thread was on when stopped: gsignal's or g0's. */
    private Optional<long[]> signalStackBounds(MInfo m) {
        if (m == null || m.gsignal == 0) {
            return Optional.empty();
        }
        try {
            long lo = mem.u64(m.gsignal + gl.stackLo());
            long hi = mem.u64(m.gsignal + gl.stackHi());
            return Optional.of(new long[] {lo, hi});
        } catch (MemoryAccessException e) {
            return Optional.empty(); // the signal stack's g is gone: unwind from the g's saved state
        }
    }

    /**
     * The runtime prints a dying goroutine's stack from fatalpanic's (or fatalthrow's) caller
     * and never shows the systemstack switch frame; drop those so our frames line up with its.
     */
    private static List<PhysicalFrame> trimRuntimeEntry(List<PhysicalFrame> frames) {
        int start = 0;
        for (int i = 0; i < frames.size(); i++) {
            String n = frames.get(i).function();
            if (n.equals("runtime.fatalpanic") || n.equals("runtime.fatalthrow")) {
                start = i + 1;
                break;
            }
        }
        List<PhysicalFrame> out = new ArrayList<>();
        for (int i = start; i < frames.size(); i++) {
            if (!frames.get(i).function().equals("runtime.systemstack_switch")) {
                out.add(frames.get(i));
            }
        }
        return out;
    }

    private Optional<Frame> creator(long gopc) {
        if (gopc == 0) {
            return Optional.empty();
        }
        return creatorCache.computeIfAbsent(gopc, pc -> rt.pclntab().funcAt(pc).map(fn -> {
            // gopc is the return address of the call to newproc: symbolize the call, like the runtime.
            long sym = pc > fn.entry() ? pc - 1 : pc;
            List<Pclntab.SourceFrame> fr = rt.pclntab().frames(fn, sym);
            Pclntab.SourceFrame outer = fr.get(fr.size() - 1);
            Pclntab.SourceFrame inner = fr.get(0);
            return new Frame(GoNames.forPrint(outer.function()), inner.file(), inner.line(), pc, false);
        }));
    }

    private String funcName(long pc) {
        return pc == 0 ? "" : rt.pclntab().funcAt(pc).map(f -> GoNames.forPrint(f.name())).orElse(String.format("0x%x", pc));
    }
}
