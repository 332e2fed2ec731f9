package dev.chanscope.live;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.elf.BuildDebugInfo;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.gdb.GdbCommandException;
import dev.chanscope.gdb.GdbException;
import dev.chanscope.gdb.GdbLookups;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.GdbThreads;
import dev.chanscope.gdb.GdbTypeCatalog;
import dev.chanscope.layouts.BuiltInLayouts;
import dev.chanscope.layouts.LayoutTable;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.Target;
import dev.chanscope.proc.ThreadContext;
import dev.chanscope.proc.TypeCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A live Go process, attached through gdb/MI: gdb stops it and gives symbols, DWARF types and
 * thread registers; memory is read directly ({@link LiveMemory}). The process is left exactly
 * as found: gdb is told never to write memory or registers or insert breakpoints, and on
 * {@link #close()} (and on Ctrl-C, SIGTERM, the watchdog's timeout) it detaches; a process
 * that was stopped ({@code T}) is stopped again, a running one runs again.
 *
 * <p>Why each path detaches, measured on Linux 6.x with gdb 13 (docs/attach.md): gdb's own
 * detach re-enters the group stop of a process that was stopped (the kernel reinstates a
 * group stop still in effect when a tracer lets go); gdb exits on end of input (chanscope's
 * JVM killed) by detaching; a gdb killed outright is detached by the kernel, with the same
 * rule. chanscope still checks the state afterwards and signals the process back
 * (SIGSTOP/SIGCONT) if it ever differs.
 */
public final class LiveTarget implements Target {
    /** Settings that make gdb an observer: any attempt to change the process fails instead. */
    private static final List<String> READ_ONLY = List.of(
            "may-write-memory off",
            "may-write-registers off",
            "may-insert-breakpoints off",
            "may-insert-tracepoints off",
            "may-insert-fast-tracepoints off",
            // not "may-interrupt off": gdb needs to interrupt the other threads of a running
            // process to finish attaching (with it off, -target-attach never completes)
            "breakpoint always-inserted off");
    private static final Duration DETACH_TIMEOUT = Duration.ofSeconds(10);
    /** How long the kernel may take to finish a detach after its tracer died. */
    private static final Duration SETTLE = Duration.ofSeconds(3);

    /**
     * @param binary    the executable to take symbols and types from instead of the process's own
     *                  (an unstripped copy of the same build); empty for /proc/PID/exe
     * @param force     use {@code binary} even when its build id differs
     * @param timeout   the longest chanscope may stay attached; then it detaches and fails
     * @param holdMillis stay attached this long after reading (tests of the detach paths)
     */
    public record Options(Optional<Path> binary, boolean force, Duration timeout, long holdMillis) {
        public static Options defaults() {
            return new Options(Optional.empty(), false, Duration.ofSeconds(120), 0);
        }
    }

    private final LiveProcess process;
    private final LiveProcess.State before;
    private final ElfFile exe;
    /** The file the process runs (/proc/PID/exe): {@link #exe} itself unless --binary named another. */
    private final ElfFile processExe;
    private final String exeShown;
    private final GdbSession gdb;
    private final Optional<LiveLibc> libc;
    private long startNanos;
    private final Thread hook;
    private final Thread watchdog;
    private final OptionalInt selfStopper;
    private LiveMemory memory;
    /** gdb's DWARF, or for a stripped binary the built-in layouts of its Go release (docs/stripped.md). */
    private final TypeCatalog types;
    private long bias;
    private long monotonicAtAttach;
    private List<ThreadContext> threads;
    private volatile String abandoned;
    private LiveDeparture departure;

    private LiveTarget(LiveProcess process, LiveProcess.State before, ElfFile exe, ElfFile processExe, String exeShown,
                       GdbSession gdb, Optional<LiveLibc> libc, OptionalInt selfStopper, Duration timeout) {
        this.process = process;
        this.before = before;
        this.exe = exe;
        this.processExe = processExe;
        this.exeShown = exeShown;
        this.gdb = gdb;
        this.libc = libc;
        this.selfStopper = selfStopper;
        this.startNanos = System.nanoTime(); // reset when the attach request is sent
        this.hook = new Thread(() -> abandon("interrupted (SIGINT or SIGTERM) while reading process " + process.pid()),
                "chanscope-detach-on-exit");
        this.watchdog = new Thread(() -> watch(timeout), "chanscope-attach-watchdog");
        this.watchdog.setDaemon(true);
        this.types = BuildDebugInfo.of(exe).hasDwarf() ? new GdbTypeCatalog(gdb)
                : BuiltInLayouts.forBinary(exe, exeShown, LayoutTable.builtIn());
    }

    /**
     * Checks the process can be attached to (one clear line if not), stops it through gdb, and
     * returns a target ready to read. The caller must {@link #close()} it.
     */
    public static LiveTarget attach(int pid, Options options) {
        return attach(pid, options, types -> { });
    }

    /**
     * Like {@link #attach(int, Options)}, running {@code prepare} on the executable's types
     * before the process is stopped: whatever it asks for (the runtime's struct layouts) is then
     * cached, and the process is not held while gdb reads DWARF.
     */
    public static LiveTarget attach(int pid, Options options, java.util.function.Consumer<TypeCatalog> prepare) {
        // The live pieces know amd64 only (system call numbers, the snapshot's user_regs_struct);
        // arm64 cores are read, arm64 processes not (docs/arm64.md: no arm64 machine to test on).
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "attach works on amd64 machines only (this is " + arch
                    + "); take a core instead (gcore PID) and analyze it");
        }
        LivePermissions.check(pid);
        LiveProcess p = new LiveProcess(pid);
        LiveProcess.State before = p.state();
        // A thread caught leaving kill()/tgkill() with a stop signal stopped the process itself:
        // read it before gdb's attach replays the stop.
        OptionalInt selfStopper = before.stopped() ? p.selfStoppingThread() : OptionalInt.empty();
        String shown = options.binary().map(Path::toString).orElseGet(() -> p.exePath().orElse(p.exeLink().toString()));
        Path exePath = options.binary().orElse(p.exeLink());
        ElfFile exe = openExecutable(p, exePath);
        ElfFile processExe = exe;
        GdbSession gdb = null;
        LiveTarget t = null;
        try {
            if (options.binary().isPresent()) {
                processExe = ElfFile.open(p.exeLink()); // once: the build id check and the memory freeze
                if (!options.force()) {
                    requireSameBuild(p, exePath, exe, processExe);
                }
            }
            Optional<LiveLibc> libc = loadLibc();
            gdb = GdbSession.start();
            for (String s : READ_ONLY) {
                gdb.execute("-gdb-set " + s);
            }
            gdb.loadExecutable(exePath);
            gdb.execute("-gdb-set print frame-arguments none"); // -thread-info need not evaluate arguments
            t = new LiveTarget(p, before, exe, processExe, shown, gdb, libc, selfStopper, options.timeout());
            prepare.accept(t.types);
            t.arm();
            t.stop(pid, libc.isPresent() ? "" : libcWhy());
            return t;
        } catch (RuntimeException e) {
            if (t != null) {
                t.close();
            } else {
                if (gdb != null) {
                    gdb.close();
                }
                if (processExe != exe) {
                    processExe.close();
                }
                exe.close();
            }
            throw e;
        }
    }

    private static ElfFile openExecutable(LiveProcess p, Path exePath) {
        ElfFile exe = ElfFile.open(exePath);
        try {
            if (exe.symbolAddress("runtime.allgs").isEmpty() && exe.section(".gopclntab").isEmpty()) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "process " + p.pid() + " (" + p.name() + ", "
                        + exePath + ") is not a Go program (no Go runtime symbols)");
            }
            return exe;
        } catch (RuntimeException e) {
            exe.close();
            throw e;
        }
    }

    /** --binary without --force: the file must be the build the process runs. */
    private static void requireSameBuild(LiveProcess p, Path exePath, ElfFile exe, ElfFile running) {
        Optional<String> want = running.goBuildId().or(running::gnuBuildId);
        Optional<String> got = exe.goBuildId().or(exe::gnuBuildId);
        if (want.isPresent() && !want.equals(got)) {
            throw new ChanscopeException(ExitCode.BINARY_MISMATCH, "binary " + exePath + " is not the build"
                    + " process " + p.pid() + " runs: its build id is " + got.orElse("missing")
                    + ", the process's is " + want.get() + " (use --force to use it anyway)");
        }
    }

    /** Set when the direct memory path is switched off on purpose (troubleshooting, tests). */
    static final String MEMORY_ENV = "CHANSCOPE_LIVE_MEMORY";

    private static Optional<LiveLibc> loadLibc() {
        if ("gdb".equals(System.getenv(MEMORY_ENV))) {
            return Optional.empty();
        }
        try {
            return Optional.of(LiveLibc.load());
        } catch (LinkageError e) {
            return Optional.empty();
        }
    }

    private static String libcWhy() {
        return "gdb".equals(System.getenv(MEMORY_ENV)) ? MEMORY_ENV + "=gdb" : "JNA could not load libc";
    }

    /** From here on every exit path detaches: the JVM's shutdown and the watchdog. */
    private void arm() {
        Runtime.getRuntime().addShutdownHook(hook);
        watchdog.start();
    }

    private void stop(int pid, String libcWhy) {
        startNanos = System.nanoTime();
        try {
            gdb.execute("-target-attach " + pid);
        } catch (GdbCommandException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, LivePermissions.explainAttachFailure(pid, e.getMessage()));
        }
        awaitAllStopped();
        monotonicAtAttach = libc.map(LiveTarget::monotonic).orElseGet(System::nanoTime);
        List<LiveMapping> maps = process.maps();
        this.memory = new LiveMemory(pid, maps, libc, libcWhy, this::gdbRead);
        this.bias = loadBias(maps);
    }

    /**
     * gdb answers the attach before it has stopped every thread of a running process; memory is
     * consistent only once all of them are in a tracing stop ({@code t}).
     */
    private void awaitAllStopped() {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            LiveProcess.State s = process.state();
            boolean all = !s.threads().isEmpty() && s.threads().values().stream().allMatch(c -> c == 't' || c == 'Z' || c == 'X');
            if (all) {
                return;
            }
            if (s.gone()) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "process " + process.pid() + " exited while chanscope attached");
            }
            if (System.nanoTime() > end) {
                throw new GdbException("gdb attached to process " + process.pid() + " but did not stop all its threads within"
                        + " 10 s (thread states " + s.threads() + ")");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GdbException("interrupted while attaching to process " + process.pid());
            }
        }
    }

    private static long monotonic(LiveLibc c) {
        try (com.sun.jna.Memory ts = new com.sun.jna.Memory(16)) {
            c.clock_gettime(LiveLibc.CLOCK_MONOTONIC, ts);
            return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
        } catch (RuntimeException e) {
            return System.nanoTime();
        }
    }

    /** A position-independent executable is loaded at a random base; ELF symbols need it added. */
    private long loadBias(List<LiveMapping> maps) {
        if (exe.type() != ElfFile.ET_DYN) {
            return 0;
        }
        long firstVaddr = exe.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD)
                .mapToLong(ElfFile.Segment::vaddr).min().orElse(0) & -LiveMemory.PAGE;
        String path = process.exePath().orElse("");
        return maps.stream().filter(m -> m.offset() == 0 && m.path().equals(path)).mapToLong(LiveMapping::start)
                .findFirst().orElse(firstVaddr) - firstVaddr;
    }

    private Optional<byte[]> gdbRead(long address, int length) {
        return abandoned != null ? Optional.empty() : GdbLookups.readMemory(gdb, address, length);
    }

    private void watch(Duration timeout) {
        try {
            Thread.sleep(timeout.toMillis());
        } catch (InterruptedException e) {
            return; // closed in time
        }
        abandon("timed out after " + timeout.toSeconds() + " s reading process " + process.pid());
    }

    /**
     * Leaves at once from another thread (the JVM's shutdown, the watchdog): gdb is asked to
     * exit, which detaches, and killed if it does not within a second, which makes the kernel
     * detach; then the state is checked and restored. The reading thread fails on its next
     * gdb command or memory read.
     */
    void abandon(String reason) {
        if (abandoned == null) {
            abandoned = reason;
        }
        LiveMemory m = memory;
        if (m != null) {
            m.close();
        }
        gdb.close();
        close();
    }

    /** Why the session was cut short (timeout, interrupt, gdb's death), as a clause, if it was. */
    public Optional<String> abandonedReason() {
        return Optional.ofNullable(abandoned);
    }

    public int pid() {
        return process.pid();
    }

    public LiveProcess process() {
        return process;
    }

    public LiveProcess.State stateBefore() {
        return before;
    }

    /** The executable as shown to the user (the path the process runs, or --binary). */
    public String executableShown() {
        return exeShown;
    }

    /** The target's CLOCK_MONOTONIC (Go's nanotime) when chanscope attached. */
    public long monotonicAtAttach() {
        return monotonicAtAttach;
    }

    /** The thread that stopped the process by sending itself a stop signal, if one did. */
    public OptionalInt selfStoppingThread() {
        return selfStopper;
    }

    public String memoryPath() {
        return memory == null ? "" : memory.path();
    }

    /** How the process was left; empty until {@link #close()}. */
    public synchronized Optional<LiveDeparture> departure() {
        return Optional.ofNullable(departure);
    }

    /** Stays attached for {@code millis} (tests of the detach paths hold the process this way). */
    public void hold(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (abandoned == null && System.nanoTime() < end) {
            traced();
            try {
                Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000L)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        checkAttached();
    }

    /**
     * Checks that gdb still traces the process: when gdb dies the kernel detaches it, and the
     * process may run again while chanscope would go on reading.
     */
    private void traced() {
        if (abandoned == null && departure == null && process.tracerPid() == 0 && !process.state().gone()) {
            abandon("gdb exited while chanscope was attached to process " + process.pid() + " (the kernel detached it)");
        }
    }

    /** Throws when the session was cut short, naming why. */
    public void checkAttached() {
        traced();
        if (abandoned != null) {
            throw new GdbException(abandoned + "; the process is left "
                    + departure().map(d -> d.after().describe()).orElse("as found"));
        }
    }

    /**
     * Writes a core of the process as it is now (while attached) to {@code file}, uncompressed
     * and sparse; see {@link LiveCoreWriter}.
     */
    public LiveCoreWriter.Result writeCore(java.nio.channels.FileChannel channel, Path file) {
        checkAttached();
        if (departure().isPresent()) {
            throw new IllegalStateException("a core can be written only while attached");
        }
        return new LiveCoreWriter(process, memory, threads(), exe).write(channel, file);
    }

    @Override
    public Memory memory() {
        checkAttached();
        return memory;
    }

    @Override
    public synchronized List<ThreadContext> threads() {
        checkAttached();
        if (threads == null) {
            List<ThreadContext> all = new ArrayList<>(GdbThreads.read(gdb));
            // The live counterpart of a core's first thread: the one that stopped the process.
            selfStopper.ifPresent(tid -> all.stream().filter(t -> t.lwp() == tid).findFirst().ifPresent(t -> {
                all.remove(t);
                all.add(0, t);
            }));
            threads = List.copyOf(all);
        }
        return threads;
    }

    @Override
    public OptionalLong symbolAddress(String name) {
        return GdbLookups.symbolAddress(exe, gdb, name, bias);
    }

    @Override
    public OptionalLong symbolSize(String name) {
        return GdbLookups.symbolSize(exe, name);
    }

    @Override
    public TypeCatalog types() {
        checkAttached();
        return types;
    }

    /** A live process has not been ended by a signal. */
    @Override
    public int terminatingSignal() {
        return 0;
    }

    @Override
    public Path executable() {
        return exe.path();
    }

    /** The executable, open for as long as the target is. */
    public ElfFile executableFile() {
        return exe;
    }

    @Override
    public String describe() {
        return "process " + process.pid() + " (" + process.name() + ", binary " + exeShown + ")";
    }

    /**
     * Detaches and puts the process back in the state it was found in, keeping what was read:
     * afterwards {@link #memory()} serves the pages read while attached (and the executable's
     * file), {@link #threads()} the registers read, {@link #types()} gdb's DWARF (gdb stays up,
     * attached to nothing), so analysis can go on without holding the process. Idempotent and
     * safe from any thread; the second caller waits for the first to finish.
     */
    public synchronized void detach() {
        if (departure != null) {
            return;
        }
        watchdog.interrupt();
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running or will run, and finds us done
            }
        }
        if (memory != null) {
            memory.freeze(processExe, process.exePath().orElse(""));
        }
        try {
            gdb.execute("-target-detach", DETACH_TIMEOUT);
        } catch (GdbException e) {
            // gdb is gone or was never attached; its exit (or the kernel) detaches
        }
        long paused = System.nanoTime() - startNanos;
        if (abandoned != null) {
            gdb.close(); // it may be in any state; its exit detaches
        }
        List<String> restore = new ArrayList<>();
        LiveProcess.State after = settle();
        if (!after.gone()) {
            if (before.stopped() && !after.stopped()) {
                signal(LiveLibc.SIGSTOP, restore, "it was stopped before chanscope attached");
            } else if (!before.stopped() && after.stopped()) {
                signal(LiveLibc.SIGCONT, restore, "it was running before chanscope attached");
            }
            if (!restore.isEmpty()) {
                after = settle();
            }
        }
        departure = new LiveDeparture(before, after, paused, List.copyOf(restore), Optional.ofNullable(abandoned));
    }

    /** Detaches (if not yet), then stops gdb and releases everything; the target can no longer be read. */
    @Override
    public synchronized void close() {
        detach();
        gdb.close();
        if (memory != null) {
            memory.close();
        }
        if (processExe != exe) {
            processExe.close();
        }
        exe.close();
    }

    /** Reads after {@link #detach()} that the pages read while attached could not serve. */
    public long readsAfterDetachMissed() {
        return memory == null ? 0 : memory.frozenMisses();
    }

    /** The state once no tracer holds the process (the kernel detaches a dead tracer's tracees asynchronously). */
    private LiveProcess.State settle() {
        long end = System.nanoTime() + SETTLE.toNanos();
        LiveProcess.State s = process.state();
        while (System.nanoTime() < end && !s.gone() && (process.tracerPid() != 0 || s.process() == 't'
                || (before.stopped() && !s.stopped()))) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            s = process.state();
        }
        return s;
    }

    private void signal(int sig, List<String> restore, String why) {
        String name = sig == LiveLibc.SIGSTOP ? "SIGSTOP" : "SIGCONT";
        try {
            if (libc.isPresent()) {
                libc.get().kill(process.pid(), sig);
            } else {
                new ProcessBuilder("kill", "-" + name.substring(3), Integer.toString(process.pid())).start().waitFor();
            }
            restore.add(name + ": " + why);
        } catch (RuntimeException | java.io.IOException e) {
            restore.add(name + " failed (" + e.getMessage() + "): " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            restore.add(name + " interrupted: " + why);
        }
    }
}
