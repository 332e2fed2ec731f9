package dev.chanscope.live;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the live target needs, through JNA: reading another process's memory
 * ({@code process_vm_readv}), sending a signal to put a process back in the state it was
 * found in, and the clock the Go runtime's {@code nanotime} reads. Nothing here writes to
 * the target.
 */
interface LiveLibc extends Library {
    /** Linux amd64 and arm64: the monotonic clock Go's nanotime() uses. */
    int CLOCK_MONOTONIC = 1;
    int SIGCONT = 18;
    int SIGSTOP = 19;
    /** errno values the live target tells apart. */
    int EPERM = 1, ESRCH = 3, EFAULT = 14, ENOSYS = 38;

    /**
     * {@code ssize_t process_vm_readv(pid_t, const struct iovec *local, unsigned long liovcnt,
     * const struct iovec *remote, unsigned long riovcnt, unsigned long flags)}; each iovec is
     * {@code {void *base; size_t len}}, 16 bytes.
     */
    long process_vm_readv(int pid, Pointer local, long liovcnt, Pointer remote, long riovcnt, long flags)
            throws LastErrorException;

    int kill(int pid, int sig) throws LastErrorException;

    /** {@code struct timespec {time_t tv_sec; long tv_nsec}}: 16 bytes. */
    int clock_gettime(int clock, Pointer timespec) throws LastErrorException;

    int geteuid();

    /** Loads libc; a missing JNA native part surfaces as an {@link UnsatisfiedLinkError} or a {@link LinkageError}. */
    static LiveLibc load() {
        return Native.load("c", LiveLibc.class);
    }
}
