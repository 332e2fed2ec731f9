package dev.chanscope.arch.amd64;

import dev.chanscope.arch.FrameConvention;
import java.util.List;

/**
 * amd64 frames: CALL pushes the return address just below the callee's argument pointer. The
 * kernel's rt_sigframe (arch/x86/include/asm/sigframe.h) is {@code pretcode} (the restorer the
 * handler returns to), then the ucontext: uc_flags, uc_link, uc_stack (8 + 8 + 24 bytes), then
 * uc_mcontext's gregs in the order r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip.
 */
public final class Amd64Frames implements FrameConvention {
    private static final int GREGS = 40;

    @Override
    public long returnAddressSlot(long sp, long fp) {
        return fp - 8;
    }

    @Override
    public long callerSp(long fp) {
        return fp;
    }

    @Override
    public boolean linkRegister() {
        return false;
    }

    @Override
    public int injectedCallPad() {
        return 0;
    }

    /** The handler's entry frame returns through {@code pretcode}, its return slot; the ucontext follows it. */
    @Override
    public long ucontext(long handlerFp) {
        return handlerFp;
    }

    @Override
    public int ucPc() {
        return GREGS + 8 * 16;
    }

    @Override
    public int ucSp() {
        return GREGS + 8 * 15;
    }

    @Override
    public int ucFp() {
        return GREGS + 8 * 10;
    }

    @Override
    public int ucLr() {
        return -1;
    }

    /**
     * {@code 48 c7 c0 0f 00 00 00 0f 05} (mov $15, %rax; syscall: rt_sigreturn), the bytes gdb's
     * amd64-linux sigtramp detector matches and libc's {@code __restore_rt} holds, and
     * {@code b8 0f 00 00 00 0f 05}, the zero-extending mov Go 1.27's assembler emits for it.
     */
    @Override
    public List<byte[]> restorerCode() {
        return List.of(new byte[] {0x48, (byte) 0xc7, (byte) 0xc0, 0x0f, 0, 0, 0, 0x0f, 0x05},
                new byte[] {(byte) 0xb8, 0x0f, 0, 0, 0, 0x0f, 0x05});
    }

    @Override
    public boolean restorerPrecedesUcontext() {
        return true;
    }
}
