package dev.chanscope.live;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Why chanscope may not attach to a process, found before trying, so the user gets one line
 * naming the cause instead of gdb's "ptrace: Operation not permitted". The kernel's rules
 * (kernel/ptrace.c {@code __ptrace_may_access}, security/yama): a tracer needs the target's
 * real, effective and saved uid (and gids) to be its own, or CAP_SYS_PTRACE; Yama's
 * {@code ptrace_scope} 1 limits that to descendants, 2 to CAP_SYS_PTRACE, 3 forbids it; a
 * process has at most one tracer.
 */
public final class LivePermissions {
    /** Capability number of CAP_SYS_PTRACE (include/uapi/linux/capability.h). */
    static final int CAP_SYS_PTRACE = 19;

    /**
     * The facts the decision rests on.
     *
     * @param exists        /proc/PID exists
     * @param state         the process's state letter
     * @param name          its command name
     * @param tracerPid     its tracer, 0 for none
     * @param tracerName    the tracer's command name
     * @param uids          its real, effective, saved uids
     * @param ownEuid       chanscope's effective uid
     * @param ownCapPtrace  chanscope holds CAP_SYS_PTRACE
     * @param ptraceScope   kernel.yama.ptrace_scope, empty without Yama
     * @param descendant    the process descends from chanscope (Yama scope 1 allows that)
     * @param hasExecutable /proc/PID/exe resolves (kernel threads have none)
     * @param self          the process is chanscope's own JVM
     * @param tracedThread  the thread the tracer traces ({@code pid} itself for the main thread), 0 when none;
     *                      with {@code tracerPid} 0, that thread is in a tracing stop without a tracer shown
     */
    public record Facts(int pid, boolean exists, char state, String name, int tracerPid, String tracerName,
                        List<Integer> uids, int ownEuid, boolean ownCapPtrace, Optional<Integer> ptraceScope,
                        boolean descendant, boolean hasExecutable, boolean self, int tracedThread) {}

    private LivePermissions() {
    }

    /** Checks a process and throws a {@link ChanscopeException} (BAD_INPUT) naming the first problem. */
    public static void check(int pid) {
        problem(facts(pid)).ifPresent(m -> {
            throw new ChanscopeException(ExitCode.BAD_INPUT, m);
        });
    }

    public static Facts facts(int pid) {
        LiveProcess p = new LiveProcess(pid);
        LiveProcess self = new LiveProcess((int) ProcessHandle.current().pid());
        boolean exists = pid > 0 && p.exists();
        // Every thread, not only the main one: gdb would stop the untraced threads, then wait
        // about a minute for the traced one (measured: 61 s) before giving up.
        Optional<LiveProcess.TracedThread> traced = exists ? p.tracedThread() : Optional.empty();
        int tracer = traced.map(LiveProcess.TracedThread::tracer).orElse(0);
        List<Integer> ownUids = self.uids();
        return new Facts(pid, exists, exists ? p.state().process() : '?', exists ? p.name() : "?", tracer,
                tracer > 0 ? new LiveProcess(tracer).name() : "", exists ? p.uids() : List.of(),
                ownUids.size() > 1 ? ownUids.get(1) : -1, ownCapability(self, CAP_SYS_PTRACE), ptraceScope(),
                exists && isDescendant(pid), exists && p.exePath().isPresent(),
                pid == ProcessHandle.current().pid(), traced.map(LiveProcess.TracedThread::tid).orElse(0));
    }

    /** The first reason attaching cannot work, as one line, or empty when none is known. */
    public static Optional<String> problem(Facts f) {
        String who = "process " + f.pid() + (f.exists() ? " (" + f.name() + ")" : "");
        if (f.pid() <= 0) {
            return Optional.of("PID must be a positive process id, not " + f.pid());
        }
        if (!f.exists()) {
            return Optional.of("no process with PID " + f.pid() + " (it may have exited)");
        }
        if (f.self()) {
            return Optional.of("PID " + f.pid() + " is chanscope itself");
        }
        if (f.state() == 'Z' || f.state() == 'X') {
            return Optional.of(who + " has exited (zombie): there is no memory left to read");
        }
        if (!f.hasExecutable() && f.uids().isEmpty()) {
            return Optional.of(who + " is not accessible (no executable link, no status)");
        }
        boolean privileged = f.ownCapPtrace();
        if (!privileged && !f.uids().isEmpty() && f.uids().stream().limit(3).anyMatch(u -> u != f.ownEuid())) {
            int owner = f.uids().get(0);
            return Optional.of(who + " belongs to " + userName(owner) + " (uid " + owner + ") and chanscope runs as "
                    + userName(f.ownEuid()) + " (uid " + f.ownEuid() + "): ptrace needs the same user or CAP_SYS_PTRACE;"
                    + " run chanscope as " + userName(owner) + " or as root");
        }
        if (f.ptraceScope().isPresent()) {
            int scope = f.ptraceScope().get();
            if (scope >= 3) {
                return Optional.of("kernel.yama.ptrace_scope is " + scope + ": attaching to processes is disabled on"
                        + " this machine until it reboots");
            }
            if (scope == 2 && !privileged) {
                return Optional.of("kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE) may attach; run chanscope"
                        + " as root");
            }
            if (scope == 1 && !privileged && !f.descendant()) {
                return Optional.of("kernel.yama.ptrace_scope is 1: a process may attach only to its own descendants;"
                        + " run chanscope as root (CAP_SYS_PTRACE) or set the sysctl kernel.yama.ptrace_scope=0");
            }
        }
        String thread = f.tracedThread() != 0 && f.tracedThread() != f.pid() ? " (its thread " + f.tracedThread() + ")" : "";
        if (f.tracerPid() != 0) {
            return Optional.of(who + " is already traced by PID " + f.tracerPid()
                    + (f.tracerName().isEmpty() ? "" : " (" + f.tracerName() + ")") + thread
                    + ": a process can have one tracer only; detach that debugger or strace first");
        }
        if (f.tracedThread() != 0) {
            return Optional.of(who + " is stopped by a tracer" + thread + " (state t): another debugger holds it;"
                    + " detach it first");
        }
        if (!f.hasExecutable()) {
            return Optional.of(who + " has no executable (a kernel thread?)");
        }
        return Optional.empty();
    }

    /**
     * Explains a failed attach after the fact: the known causes first, else the usual hidden
     * ones (a non-dumpable process, a security module).
     */
    public static String explainAttachFailure(int pid, String gdbMessage) {
        Optional<String> known = problem(facts(pid));
        if (known.isPresent()) {
            return known.get();
        }
        String m = gdbMessage.strip();
        if (m.contains("Operation not permitted")) {
            return "cannot attach to process " + pid + ": ptrace was refused (" + m + "); the process may be"
                    + " non-dumpable (setuid, or prctl(PR_SET_DUMPABLE, 0)), or a security module (SELinux,"
                    + " AppArmor, a container's seccomp profile) forbids ptrace; run chanscope as root on the host";
        }
        if (m.contains("No such process")) {
            return "no process with PID " + pid + " (it exited while chanscope attached)";
        }
        return "gdb could not attach to process " + pid + ": " + m;
    }

    private static boolean ownCapability(LiveProcess self, int cap) {
        return self.status("CapEff").map(hex -> {
            try {
                return (Long.parseUnsignedLong(hex, 16) & (1L << cap)) != 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }).orElse(false);
    }

    private static Optional<Integer> ptraceScope() {
        try {
            return Optional.of(Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/yama/ptrace_scope")).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // no Yama: only the classic rules apply
        }
    }

    private static boolean isDescendant(int pid) {
        long me = ProcessHandle.current().pid();
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        for (int depth = 0; h.isPresent() && depth < 1000; depth++) {
            Optional<ProcessHandle> parent = h.get().parent();
            if (parent.isEmpty()) {
                return false;
            }
            if (parent.get().pid() == me) {
                return true;
            }
            h = parent;
        }
        return false;
    }

    /** The user's name from /etc/passwd, else "uid N". */
    static String userName(int uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2 && f[2].equals(Integer.toString(uid))) {
                    return f[0];
                }
            }
        } catch (IOException e) {
            // no passwd file (a minimal container): fall through
        }
        return "uid " + uid;
    }
}
