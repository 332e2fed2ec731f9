package dev.chanscope.proc;

/**
 * One frame of a thread's stack as gdb's own unwinder (DWARF CFI, libc's unwind tables, its
 * signal-frame sniffers) finds it: the fallback when chanscope's pclntab walk cannot cross what a
 * thread was doing (C code, a libc signal frame of an unusual shape).
 *
 * @param level  0 for the innermost frame
 * @param pc     the frame's pc
 * @param sp     the frame's stack pointer ($sp with the frame selected)
 * @param signal true for gdb's {@code <signal handler called>} pseudo-frame: the next frame's pc
 *               is where the signal interrupted the code, not a return address
 */
public record NativeFrame(int level, long pc, long sp, boolean signal) {}
