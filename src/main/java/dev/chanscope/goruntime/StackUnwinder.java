package dev.chanscope.goruntime;

import dev.chanscope.arch.FrameConvention;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Unwinds a stack the way the runtime's own traceback does: from (pc, sp), the pclntab gives
 * the frame size at pc, the return address sits just below the caller's SP, repeat. Using the
 * runtime's tables rather than frame pointers makes assembly frames, frameless leaf functions
 * and inlined calls come out exactly as {@code GOTRACEBACK=crash} prints them.
 */
public final class StackUnwinder {
    /** The runtime prints at most 100 frames per goroutine; we allow more but not unbounded. */
    public static final int DEFAULT_MAX_FRAMES = 1024;

    private final Pclntab pclntab;
    private final Memory memory;
    private final OptionalLong sigreturnPc;
    private final FrameConvention conv;
    /**
     * Logical frames by pc (and by whether the pc is symbolized as is, at a trap): identical for
     * every goroutine parked at the same call, so a million such goroutines share one list.
     */
    private final java.util.Map<Long, List<Frame>> logicalByPc = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<Long, List<Frame>> logicalByTrapPc = new java.util.concurrent.ConcurrentHashMap<>();

    /** The result: frames innermost first, and why the walk stopped early, if it did. */
    public record Stack(List<PhysicalFrame> frames, Optional<String> error) {}

    /**
     * @param sigreturnPc address of the signal-return trampoline the runtime installs as
     *                    sa_restorer ({@code runtime.sigreturn__sigaction}); a frame returning
     *                    there is a signal handler, and the kernel's ucontext lies above it
     */
    public StackUnwinder(Pclntab pclntab, Memory memory, OptionalLong sigreturnPc) {
        this(pclntab, memory, sigreturnPc, new dev.chanscope.arch.amd64.Amd64Frames());
    }

    /** @param conv the architecture's frame and signal-frame layout */
    public StackUnwinder(Pclntab pclntab, Memory memory, OptionalLong sigreturnPc, FrameConvention conv) {
        this.pclntab = pclntab;
        this.memory = memory;
        this.sigreturnPc = sigreturnPc;
        this.conv = conv;
    }

    /**
     * @param trap true when pc is where a signal interrupted the code (not a return address),
     *             so the first frame is symbolized at pc rather than pc-1
     */
    public Stack unwind(long pc, long sp, long stackLo, long stackHi, boolean trap, int maxFrames) {
        return unwind(pc, sp, 0, stackLo, stackHi, trap, maxFrames);
    }

    /**
     * @param lr the link register at (pc, sp) on an architecture that has one, 0 when unknown:
     *           the innermost frame returns there when it has not allocated its frame (a leaf,
     *           or stopped before its prologue), as in the runtime's {@code unwinder.resolveInternal};
     *           so does the frame a signal interrupted below an injected call (asyncPreempt,
     *           sigpanic), with the LR the handler saved
     */
    public Stack unwind(long pc, long sp, long lr, long stackLo, long stackHi, boolean trap, int maxFrames) {
        List<PhysicalFrame> out = new ArrayList<>();
        Optional<String> error = Optional.empty();
        boolean atTrap = trap;
        while (out.size() < maxFrames) {
            Optional<Pclntab.FuncInfo> f = pclntab.funcAt(pc);
            if (f.isEmpty()) {
                error = Optional.of(String.format("no function at pc 0x%x", pc));
                break;
            }
            Pclntab.FuncInfo fn = f.get();
            long symPc = !atTrap && pc > fn.entry() ? pc - 1 : pc;
            long delta = pclntab.spDelta(fn, pc);
            long fp = sp + delta + 8;
            out.add(new PhysicalFrame(fn, pc, sp, fp, logical(fn, pc, symPc)));
            if (isTopOfStack(fn.name())) {
                break;
            }
            long slot = conv.returnAddressSlot(sp, fp);
            boolean toLinkRegister = conv.linkRegister() && delta == 0 && lr != 0;
            if (!toLinkRegister && (slot < stackLo || slot + 8 > stackHi) || fp > stackHi + 8) {
                error = Optional.of(String.format("frame of %s at sp 0x%x leaves the stack [0x%x, 0x%x)",
                        fn.name(), sp, stackLo, stackHi));
                break;
            }
            long ret;
            try {
                ret = toLinkRegister ? lr : memory.u64(slot);
            } catch (MemoryAccessException e) {
                error = Optional.of(e.getMessage());
                break;
            }
            if (ret == 0) {
                break;
            }
            // A frame that returns into sigpanic's caller: the next pc is the faulting instruction.
            atTrap = switch (fn.name()) {
                case "runtime.sigpanic", "runtime.asyncPreempt", "runtime.debugCallV2" -> true;
                default -> false;
            };
            pc = ret;
            sp = conv.callerSp(fp);
            lr = 0;
            if (atTrap && conv.injectedCallPad() > 0) {
                // runtime/traceback.go (unwinder.next, usesLR && injectedCall): the signal handler
                // saved the interrupted function's LR at the caller SP before faking the call.
                long saved;
                try {
                    saved = memory.u64(sp);
                } catch (MemoryAccessException e) {
                    error = Optional.of(e.getMessage());
                    break;
                }
                sp += conv.injectedCallPad();
                Optional<Pclntab.FuncInfo> next = pclntab.funcAt(pc);
                if (next.isEmpty()) {
                    pc = saved;
                } else if (pclntab.spDelta(next.get(), pc) == 0) {
                    lr = saved;
                }
            }
        }
        return new Stack(List.copyOf(out), error);
    }

    private List<Frame> logical(Pclntab.FuncInfo fn, long pc, long symPc) {
        if (!fn.contains(pc)) {
            return symbolize(fn, pc, symPc); // not a pc of fn: nothing to share
        }
        return (symPc == pc ? logicalByTrapPc : logicalByPc).computeIfAbsent(pc, k -> symbolize(fn, pc, symPc));
    }

    private List<Frame> symbolize(Pclntab.FuncInfo fn, long pc, long symPc) {
        List<Pclntab.SourceFrame> src = pclntab.frames(fn, symPc);
        List<Frame> frames = new ArrayList<>(src.size());
        for (Pclntab.SourceFrame s : src) {
            frames.add(new Frame(GoNames.forPrint(s.function()), s.file(), s.line(), pc, s.inlined()));
        }
        return List.copyOf(frames);
    }

    /** Functions where the runtime's traceback stops: the first frame ever pushed on a stack. */
    static boolean isTopOfStack(String name) {
        return name.equals("runtime.goexit") || name.equals("runtime.rt0_go") || name.startsWith("runtime.mstart");
    }

    /**
     * The register state a signal interrupted, if the stack walked from (pc, sp) passes through a
     * signal handler: {sp, fp, pc, lr} (lr 0 on amd64). The handler's outermost frame returns to
     * the restorer; where the kernel's rt_sigframe and its ucontext lie relative to that frame is
     * the architecture's ({@link FrameConvention#ucontext}).
     */
    public Optional<long[]> signalContext(long pc, long sp, long stackLo, long stackHi) {
        return signalContext(pc, sp, 0, stackLo, stackHi);
    }

    /** {@link #signalContext(long, long, long, long)} from a thread that has a link register. */
    public Optional<long[]> signalContext(long pc, long sp, long lr, long stackLo, long stackHi) {
        // Signals nest: the runtime's crash path raises SIGABRT from inside the handler of the
        // signal that started the crash, so the first context found may itself be on the signal
        // stack. Follow contexts until one leaves it.
        Optional<long[]> ctx = Optional.empty();
        long curPc = pc;
        long curSp = sp;
        long curLr = lr;
        for (int depth = 0; depth < 8; depth++) {
            Optional<long[]> next = innermostContext(curPc, curSp, curLr, stackLo, stackHi);
            if (next.isEmpty()) {
                break;
            }
            ctx = next;
            long[] c = next.get();
            if (c[0] < stackLo || c[0] >= stackHi || c[0] <= curSp) {
                break;
            }
            curPc = c[2];
            curSp = c[0];
            curLr = c[3];
        }
        return ctx;
    }

    private Optional<long[]> innermostContext(long pc, long sp, long lr, long stackLo, long stackHi) {
        Stack s = unwind(pc, sp, lr, stackLo, stackHi, true, 64);
        for (PhysicalFrame f : s.frames()) {
            try {
                long ret = memory.u64(conv.returnAddressSlot(f.sp(), f.fp()));
                if (isRestorer(ret) || isHandlerEntry(f.function()) && pclntab.funcAt(ret).isEmpty()) {
                    long[] regs = mcontext(conv.ucontext(f.fp()));
                    if (pclntab.funcAt(regs[2]).isPresent()) {
                        return Optional.of(regs);
                    }
                }
            } catch (MemoryAccessException e) {
                break;
            }
        }
        // Fall back to scanning the signal stack for the restorer address (handler frames the
        // tables could not walk), where the restorer's address is pretcode, just below the ucontext.
        for (long a = sp; conv.restorerPrecedesUcontext() && a + 8 <= stackHi && a < sp + 64 * 1024; a += 8) {
            try {
                long w = memory.u64(a);
                if (w != 0 && (sigreturnPc.isPresent() && w == sigreturnPc.getAsLong() || w == libcRestorer)) {
                    long[] regs = mcontext(a + 8);
                    if (pclntab.funcAt(regs[2]).isPresent()) {
                        return Optional.of(regs);
                    }
                }
            } catch (MemoryAccessException e) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * The signal handler's first frame: the kernel enters it as if called from the restorer, so
     * its return-address slot is the rt_sigframe's {@code pretcode}. cgoSigtramp (cgo and -race
     * builds) tail-jumps to sigtramp, so sigtramp's frame is the one seen.
     */
    private static boolean isHandlerEntry(String function) {
        return function.equals("runtime.sigtramp") || function.equals("runtime.cgoSigtramp");
    }

    /**
     * A signal return trampoline: the runtime's own (sa_restorer when the runtime installs its
     * handlers), or, when handlers are installed through libc's sigaction (cgo, external linking,
     * -race: runtime/cgo's x_cgo_sigaction), libc's {@code __restore_rt}. Both are
     * {@code mov $15, %rax; syscall} (rt_sigreturn), the bytes gdb's amd64-linux sigtramp
     * detector also matches. Reading libc's code needs gdb to have it (the core holds only
     * its first page); without it, {@link #isHandlerEntry} still finds the frame.
     */
    private boolean isRestorer(long ret) {
        if (sigreturnPc.isPresent() && ret == sigreturnPc.getAsLong() || ret == libcRestorer && ret != 0) {
            return true;
        }
        if (ret == 0 || pclntab.funcAt(ret).isPresent()) {
            return false;
        }
        for (byte[] pattern : conv.restorerCode()) {
            try {
                byte[] code = memory.read(ret, pattern.length);
                if (java.util.Arrays.equals(code, pattern)) {
                    libcRestorer = ret;
                    return true;
                }
            } catch (MemoryAccessException e) {
                // libc's text is not in the core and gdb could not read it: judge by the frame
            }
        }
        return false;
    }

    /** libc's restorer once seen, so the stack scan below recognises it too. */
    private long libcRestorer;

    /** {sp, fp, pc, lr} from the ucontext at {@code uc}. */
    private long[] mcontext(long uc) {
        long lr = conv.ucLr() < 0 ? 0 : memory.u64(uc + conv.ucLr());
        return new long[] {memory.u64(uc + conv.ucSp()), memory.u64(uc + conv.ucFp()), memory.u64(uc + conv.ucPc()), lr};
    }
}
