package dev.chanscope.arch.arm64;

import dev.chanscope.arch.FrameConvention;
import java.util.List;

/**
 * arm64 frames (Go's runtime/traceback.go with {@code usesLR}): BL leaves the return address in
 * LR (R30); a function with a frame stores it at 0(RSP) of its own frame in the prologue, and
 * the frame pointer R29 at -8(RSP). So a frame's return address is the word at its SP, or LR
 * for a frameless innermost frame; the caller's SP is {@code sp + spDelta}, which is the
 * argument pointer minus the 8-byte slot holding the caller's own saved LR.
 *
 * <p>The signal frame: the kernel (arch/arm64/kernel/signal.c, setup_rt_frame) enters the
 * handler with SP at {@code struct rt_sigframe { siginfo_t info; struct ucontext uc; }}
 * (siginfo is 128 bytes) and LR at the restorer; qemu-user builds the same frame. The ucontext
 * (include/uapi/asm-generic/ucontext.h on arm64): uc_flags, uc_link (8 each), uc_stack (24),
 * uc_sigmask (8), 120 bytes of room for a larger sigset, then uc_mcontext 16-byte aligned at
 * 176: struct sigcontext {fault_address, regs[31], sp, pc, pstate, ...}. Go's own
 * runtime/defs_linux_arm64.go declares the same (ucontext._pad, _pad2, uc_mcontext).
 */
public final class Arm64Frames implements FrameConvention {
    private static final int SIGINFO = 128;
    private static final int MCONTEXT = 176;
    private static final int REGS = MCONTEXT + 8;

    @Override
    public long returnAddressSlot(long sp, long fp) {
        return sp;
    }

    @Override
    public long callerSp(long fp) {
        return fp - 8;
    }

    @Override
    public boolean linkRegister() {
        return true;
    }

    /** alignUp(MinFrameSize 8, StackAlign 16): the saved LR in a 16-byte slot (runtime/signal_arm64.go). */
    @Override
    public int injectedCallPad() {
        return 16;
    }

    /** runtime.sigtramp's entry SP is its caller SP (fp - 8) and is the rt_sigframe: siginfo, then ucontext. */
    @Override
    public long ucontext(long handlerFp) {
        return handlerFp - 8 + SIGINFO;
    }

    @Override
    public int ucPc() {
        return REGS + 8 * 32;
    }

    @Override
    public int ucSp() {
        return REGS + 8 * 31;
    }

    @Override
    public int ucFp() {
        return REGS + 8 * 29;
    }

    @Override
    public int ucLr() {
        return REGS + 8 * 30;
    }

    /**
     * {@code mov x8, #139 (__NR_rt_sigreturn); svc #0}: the vDSO's __kernel_rt_sigreturn and
     * glibc's restorer, little-endian.
     */
    @Override
    public List<byte[]> restorerCode() {
        return List.of(new byte[] {0x68, 0x11, (byte) 0x80, (byte) 0xd2, 0x01, 0, 0, (byte) 0xd4});
    }

    @Override
    public boolean restorerPrecedesUcontext() {
        return false;
    }
}
