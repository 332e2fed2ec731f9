package dev.chanscope.gdb;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One gdb process in MI3 mode. Started with {@code --interpreter=mi3 -nx -q}, auto-loading and
 * debuginfod off, pagination and confirmation off, so an untrusted binary cannot make gdb run
 * its scripts. Commands are sent with a numeric token and matched to their result record;
 * every command has a timeout, and a gdb that dies or hangs becomes a {@link GdbException}.
 *
 * <p>Threads: one reads stdout ({@link MiChannel}), one drains stderr into the recent log, one
 * waits for gdb to exit. Commands run one at a time; {@link #close()} may be called from any
 * thread, also while a command runs (that command then fails).
 *
 * <p>A session that timed out, was interrupted or lost its gdb is unusable: gdb's state is
 * unknown, so it is killed and every later call fails at once. Start a new session.
 */
public final class GdbSession implements AutoCloseable {

    /** Default per-command timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** Oldest gdb accepted: MI3 output and the Go support chanscope relies on. */
    public static final int MINIMUM_MAJOR = 12;
    public static final int MINIMUM_MINOR = 1;

    /** How long gdb gets to exit on request, and the reader to drain output after an exit. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final int LOG_CAPACITY = 200;
    private static final int LOG_LINES_IN_MESSAGES = 5;

    private final String executable;
    private final Process process;
    private final Writer stdin;
    private final RecentLines log = new RecentLines(LOG_CAPACITY);
    private final MiChannel channel;
    private final Thread stderrDrainer;
    private final Object commandLock = new Object();
    private final Object writeLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why the session can no longer be used; the first reason wins. */
    private final AtomicReference<String> unusable = new AtomicReference<>();
    private long nextToken = 1; // guarded by commandLock
    private volatile GdbVersion version;

    private GdbSession(String executable, Process process) {
        this.executable = executable;
        this.process = process;
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        long pid = process.pid();
        this.channel = new MiChannel(process.getInputStream(), log, "gdb-" + pid + "-stdout");
        this.stderrDrainer = daemon("gdb-" + pid + "-stderr", this::drainStderr);
        Thread exitWatcher = daemon("gdb-" + pid + "-exit", this::watchExit);
        channel.start();
        stderrDrainer.start();
        exitWatcher.start();
    }

    /**
     * Starts gdb. The executable is {@code $CHANSCOPE_GDB} when set, else {@code gdb} on PATH.
     * Checks the version (needs 12 or newer for MI3 and the Go support we use).
     *
     * @throws GdbException with a one-line message naming what to install when gdb is missing or too old
     */
    public static GdbSession start() {
        return start(System.getenv());
    }

    /** Like {@link #start()} with an explicit gdb executable. */
    public static GdbSession start(String gdbExecutable) {
        return launch(gdbExecutable, gdbExecutable);
    }

    /**
     * A session whose gdb reads the given machine's code and registers ({@code e_machine} of the
     * core and binary). A distribution's plain {@code gdb} is often built for the host alone
     * (Debian's amd64 gdb answers {@code Undefined item: "aarch64".} to
     * {@code set architecture aarch64} and shows no registers of an aarch64 core); then
     * {@code gdb-multiarch} is used. {@code CHANSCOPE_GDB}, when set, is the only gdb tried.
     */
    public static GdbSession startFor(int machine) {
        return startFor(machine, System.getenv());
    }

    static GdbSession startFor(int machine, Map<String, String> environment) {
        return startFor(machine, environment, MULTIARCH);
    }

    /** {@link #startFor(int)} with the multi-architecture gdb's executable named; for tests. */
    static GdbSession startFor(int machine, Map<String, String> environment, String multiarch) {
        Optional<String> arch = gdbArchitecture(machine);
        GdbSession first = start(environment);
        if (arch.isEmpty() || first.handles(arch.get())) {
            return first;
        }
        String tried = first.executable;
        first.close();
        String configured = environment.get(GdbLauncher.ENV_VAR);
        if (configured != null && !configured.isBlank()) {
            throw new GdbException(tried + " (" + GdbLauncher.ENV_VAR + ") cannot read " + arch.get()
                    + " code: set " + GdbLauncher.ENV_VAR + " to a gdb built for it (Debian/Ubuntu: gdb-multiarch)");
        }
        GdbSession multi;
        try {
            multi = launch(multiarch, multiarch + " on PATH");
        } catch (GdbException e) {
            throw new GdbException("gdb cannot read " + arch.get() + " cores and " + MULTIARCH + " is not installed:"
                    + " install it (Debian/Ubuntu: apt-get install gdb-multiarch) or set " + GdbLauncher.ENV_VAR
                    + " to a gdb built for " + arch.get(), e);
        }
        if (!multi.handles(arch.get())) {
            multi.close();
            throw new GdbException(MULTIARCH + " cannot read " + arch.get() + " code either: set "
                    + GdbLauncher.ENV_VAR + " to a gdb built for it");
        }
        return multi;
    }

    /** The gdb that reads every architecture Debian's gdb does not. */
    static final String MULTIARCH = "gdb-multiarch";

    /** gdb's name of an ELF e_machine chanscope reads; empty for one it does not know. */
    static Optional<String> gdbArchitecture(int machine) {
        return switch (machine) {
            case dev.chanscope.elf.ElfFile.EM_X86_64 -> Optional.of("i386:x86-64");
            case dev.chanscope.elf.ElfFile.EM_AARCH64 -> Optional.of("aarch64");
            default -> Optional.empty();
        };
    }

    /**
     * Whether this gdb knows the architecture: {@code set architecture NAME} fails for one it was
     * not built with. The setting is put back to {@code auto}, so the core and the executable
     * choose as usual.
     */
    boolean handles(String architecture) {
        try {
            console("set architecture " + architecture);
        } catch (GdbCommandException e) {
            return false;
        }
        console("set architecture auto");
        return true;
    }

    /** {@link #start()} reading {@code CHANSCOPE_GDB} from {@code environment}; for tests. */
    static GdbSession start(Map<String, String> environment) {
        String configured = environment.get(GdbLauncher.ENV_VAR);
        if (configured == null || configured.isBlank()) {
            return launch("gdb", "gdb on PATH");
        }
        return launch(configured.strip(), GdbLauncher.ENV_VAR + "=" + configured.strip());
    }

    private static GdbSession launch(String executable, String origin) {
        GdbSession session = new GdbSession(executable, GdbLauncher.start(executable, origin));
        GdbVersion found;
        try {
            found = session.queryVersion();
        } catch (GdbException e) {
            session.close();
            // gdb before 9 rejects --interpreter=mi3 and exits: its version explains that best.
            Optional<GdbVersion> old = GdbLauncher.probeVersion(executable)
                    .filter(v -> !v.atLeast(MINIMUM_MAJOR, MINIMUM_MINOR));
            if (old.isPresent()) {
                throw tooOld(old.get(), executable);
            }
            throw e;
        }
        if (!found.atLeast(MINIMUM_MAJOR, MINIMUM_MINOR)) {
            session.close();
            throw tooOld(found, executable);
        }
        session.version = found;
        return session;
    }

    private GdbVersion queryVersion() {
        String banner = execute("-gdb-version").consoleOutput();
        String firstLine = banner.lines().findFirst().orElse("");
        return GdbVersion.parse(firstLine).orElseThrow(() -> new GdbException(
                "cannot read gdb's version from \"" + firstLine + "\" (" + executable + ")"));
    }

    private static GdbException tooOld(GdbVersion found, String executable) {
        return new GdbException("gdb " + found.number() + " is too old: chanscope needs gdb " + MINIMUM_MAJOR + "."
                + MINIMUM_MINOR + " or newer (found \"" + found.text() + "\" at " + executable
                + "); install a newer gdb or set " + GdbLauncher.ENV_VAR + " to one");
    }

    public GdbVersion version() {
        return version;
    }

    /**
     * Sends an MI command ("-data-evaluate-expression ...") and waits for its result record.
     * Stream and async records that arrive before the result are collected in the returned value.
     *
     * @throws GdbCommandException on {@code ^error} (message is gdb's msg field)
     * @throws GdbException on timeout or when gdb exits
     */
    public MiResult execute(String miCommand) {
        return execute(miCommand, DEFAULT_TIMEOUT);
    }

    public MiResult execute(String miCommand, Duration timeout) {
        String command = checkCommand(miCommand);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        synchronized (commandLock) {
            ensureUsable();
            PendingCommand pending = new PendingCommand(nextToken++, command);
            channel.expect(pending);
            try {
                // Re-check after publishing: gdb may have died in between, and the exit watcher
                // marks the session before it looks for a pending command.
                ensureUsable();
                try {
                    send(pending.token() + command);
                } catch (IOException e) {
                    // gdb is gone; the exit watcher fails the pending command with the reason.
                    log.add("writing to gdb failed: " + e.getMessage());
                }
                return toResult(pending, await(pending, timeout));
            } finally {
                channel.clear(pending);
            }
        }
    }

    /**
     * Runs a CLI command through {@code -interpreter-exec console} (quoted with {@link MiQuote})
     * and returns the console-stream output it printed, concatenated.
     */
    public String console(String cliCommand) {
        return console(cliCommand, DEFAULT_TIMEOUT);
    }

    /** {@link #console(String)} with its own timeout. */
    public String console(String cliCommand, Duration timeout) {
        return execute(MiQuote.console(cliCommand), timeout).consoleOutput();
    }

    /**
     * Loads an executable and its symbols. {@code -file-exec-and-symbols} is gdb's CLI
     * {@code file} underneath and gets its argument raw, without C escapes, on a line that
     * cannot hold a newline; so the same {@code file} command goes through
     * {@code -interpreter-exec console}, which carries any file name (see {@link MiQuote}).
     */
    public void loadExecutable(Path executable) {
        String path = executable.toAbsolutePath().normalize().toString();
        execute(MiQuote.console("file " + MiQuote.cliWord(path)));
    }

    /**
     * Reads symbols and DWARF from a separate debug file ({@code objcopy --only-keep-debug}) for
     * the executable already loaded, which has none of its own; through the console for the
     * same reason as {@link #loadExecutable}.
     */
    public void loadSymbols(Path debugFile) {
        String path = debugFile.toAbsolutePath().normalize().toString();
        execute(MiQuote.console("symbol-file " + MiQuote.cliWord(path)));
    }

    /**
     * Opens a core. {@code -target-select core} is gdb's CLI {@code target core}, which takes
     * the rest of its line verbatim (quotes included); it runs through
     * {@code -interpreter-exec console} for the same reason as {@link #loadExecutable}.
     *
     * A path that ends in whitespace (which gdb's CLI strips) is opened through a link with a
     * plain name in a private temporary directory, deleted when the session closes.
     */
    public void openCore(Path core) {
        String path = core.toAbsolutePath().normalize().toString();
        if (!path.equals(path.stripTrailing())) {
            try {
                Path dir = java.nio.file.Files.createTempDirectory("chanscope-core-"); // 0700, unguessable
                linkDirs.add(dir);
                path = java.nio.file.Files.createSymbolicLink(dir.resolve("core"), Path.of(path)).toString();
            } catch (java.io.IOException e) {
                throw new dev.chanscope.ChanscopeException(dev.chanscope.ExitCode.BAD_INPUT, "gdb cannot open a core"
                        + " whose path ends in whitespace, and linking it failed (" + e.getMessage()
                        + "); rename it: \"" + path + "\"");
            }
        }
        execute(MiQuote.console("target core " + path));
    }

    /** Private directories holding a link to a core gdb could not open by its own name. */
    private final List<Path> linkDirs = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void deleteLinks() {
        for (Path dir : linkDirs) {
            try {
                java.nio.file.Files.deleteIfExists(dir.resolve("core"));
                java.nio.file.Files.deleteIfExists(dir);
            } catch (java.io.IOException e) {
                // a leftover empty private directory in the temporary directory
            }
        }
        linkDirs.clear();
    }

    /** Everything gdb printed on its log stream and stderr recently (for error messages). */
    public List<String> recentLog() {
        return log.snapshot();
    }

    /** The last async records ({@code =thread-created}, {@code *stopped}...), oldest first, at most 100. */
    public List<MiRecord.AsyncRecord> recentAsyncRecords() {
        return channel.recentAsyncRecords();
    }

    /** Asks gdb to exit ({@code -gdb-exit}), then kills it if it does not within a second. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        deleteLinks();
        if (process.isAlive() && unusable.get() == null) {
            try {
                send("-gdb-exit");
                process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                // gdb already went away; the kill below is a no-op then.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kill();
        try {
            stdin.close();
        } catch (IOException e) {
            // The pipe is gone with gdb; nothing left to flush.
        }
        failPending("gdb session was closed while running ");
    }

    /** The gdb process, for tests and diagnostics. */
    ProcessHandle processHandle() {
        return process.toHandle();
    }

    private static String checkCommand(String miCommand) {
        String command = Objects.requireNonNull(miCommand, "miCommand").strip();
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty gdb command");
        }
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
            // A line break would end the command early and run the rest as a second one.
            throw new IllegalArgumentException("gdb command contains a line break: " + command);
        }
        return command;
    }

    private void ensureUsable() {
        if (closed.get()) {
            throw new GdbException("gdb session is closed");
        }
        String reason = unusable.get();
        if (reason != null) {
            throw new GdbException("gdb session is unusable: " + reason);
        }
    }

    private void send(String line) throws IOException {
        synchronized (writeLock) {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        }
    }

    private MiRecord.ResultRecord await(PendingCommand pending, Duration timeout) {
        try {
            return pending.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            String reason = "gdb did not answer within " + describe(timeout) + ": " + pending.command();
            breakSession(reason);
            throw new GdbException(reason + " (gdb was stopped; start a new session)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            breakSession("interrupted while waiting for gdb: " + pending.command());
            throw new GdbException("interrupted while waiting for gdb: " + pending.command(), e);
        } catch (ExecutionException e) {
            // Rethrown here so the stack shows the caller, not the reader thread.
            throw new GdbException(e.getCause().getMessage(), e.getCause());
        }
    }

    private MiResult toResult(PendingCommand pending, MiRecord.ResultRecord record) {
        if ("error".equals(record.resultClass())) {
            throw new GdbCommandException(pending.command(),
                    record.results().string("msg").orElse("gdb reported an error without a message"));
        }
        return new MiResult(record.resultClass(), record.results(), pending.console());
    }

    /** gdb's state is unknown after a timeout: stop it so nothing later reads a stale answer. */
    private void breakSession(String reason) {
        unusable.compareAndSet(null, reason);
        kill();
    }

    private void kill() {
        // Children first (a "shell" command's process holds gdb's pipes open); after gdb died
        // they are no longer its descendants and could not be found.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void failPending(String prefix) {
        PendingCommand pending = channel.pending();
        if (pending != null) {
            pending.fail(new GdbException(prefix + pending.command()));
        }
    }

    private void drainStderr() {
        try (BufferedReader err = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                log.add(line);
            }
        } catch (IOException e) {
            log.add("reading gdb's stderr failed: " + e.getMessage());
        }
    }

    /**
     * Turns gdb's death into an error for the waiting command. Waits on the process rather than
     * on end of stdout, because a child of gdb can hold stdout open after gdb died.
     */
    private void watchExit() {
        int code;
        try {
            code = process.waitFor();
            // Let the reader route what gdb wrote before dying (maybe the answer itself).
            channel.awaitEnd(GRACE);
            stderrDrainer.join(GRACE.toMillis());
        } catch (InterruptedException e) {
            return;
        }
        if (closed.get()) {
            failPending("gdb session was closed while running ");
            return;
        }
        String exit = "gdb exited unexpectedly (exit code " + describeExit(code) + ")";
        String lastLog = log.tail(LOG_LINES_IN_MESSAGES);
        unusable.compareAndSet(null, exit + ": " + lastLog);
        PendingCommand pending = channel.pending();
        if (pending != null) {
            pending.fail(new GdbException(exit + " while running " + pending.command() + ": " + lastLog));
        }
    }

    private static String describeExit(int code) {
        // Java reports death by signal N as 128 + N.
        return code > 128 && code < 128 + 65 ? code + ", killed by signal " + (code - 128) : String.valueOf(code);
    }

    static String describe(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.3f s", ms / 1000.0);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
