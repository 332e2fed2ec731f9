package dev.chanscope.arch;

import java.util.List;

/**
 * Where a Go frame keeps its return address and where the kernel's signal frame keeps the
 * registers a signal interrupted: the two things a stack walk needs beyond the pclntab.
 *
 * <p>Frames are described by {@code sp} and {@code fp}, where {@code fp} is the frame's
 * argument pointer, {@code sp + spDelta + 8} on both architectures: on amd64 the CALL pushed the
 * return address just below it (the runtime's {@code frame.fp}); on arm64 it is the runtime's
 * {@code frame.argp = frame.fp + MinFrameSize}, the caller's saved-LR slot lying between (the
 * runtime prints {@code fp - 8} there). With that one definition, arguments start at {@code fp}
 * and locals end at {@code fp - 16} (below the saved frame pointer) on both.
 */
public interface FrameConvention {

    /** The word that holds the return address of the frame at {@code sp} with argument pointer {@code fp}. */
    long returnAddressSlot(long sp, long fp);

    /** The caller's SP. */
    long callerSp(long fp);

    /**
     * True when a call leaves its return address in a register (arm64 LR) until the callee's
     * prologue saves it: the innermost frame of a thread or a signal context, when it has not
     * allocated its frame ({@code sp + spDelta == sp}), returns to that register.
     */
    boolean linkRegister();

    /**
     * Bytes a signal handler pushes below the interrupted frame when it fakes a call to
     * asyncPreempt or sigpanic on a link-register machine ({@code sigctxt.pushCall},
     * {@code preparePanic}: the interrupted LR, 16 bytes to keep SP aligned); 0 where the faked
     * call pushes a return address like a real CALL (amd64).
     */
    int injectedCallPad();

    /**
     * The ucontext of a signal whose handler's entry frame (runtime.sigtramp or cgoSigtramp) has
     * argument pointer {@code handlerFp}.
     */
    long ucontext(long handlerFp);

    /** Offsets in the ucontext of the interrupted pc, sp, frame pointer and link register (-1: none). */
    int ucPc();

    int ucSp();

    int ucFp();

    int ucLr();

    /**
     * The code of a signal-return trampoline ({@code rt_sigreturn}), as byte prefixes: a return
     * address whose code starts with one of them is a restorer, so the frame returning there is
     * a signal handler's outermost frame.
     */
    List<byte[]> restorerCode();

    /**
     * True when the restorer's address sits right below the ucontext ({@code pretcode} of the
     * amd64 rt_sigframe), so that a word equal to it on the signal stack locates the ucontext.
     */
    boolean restorerPrecedesUcontext();
}
