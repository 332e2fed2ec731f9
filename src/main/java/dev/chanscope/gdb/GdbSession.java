package dev.chanscope.gdb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One gdb process in MI3 mode. Started with {@code --interpreter=mi3 -nx -q}, auto-loading and
 * debuginfod off, pagination and confirmation off, so an untrusted binary cannot make gdb run
 * its scripts. Commands are sent with a numeric token and matched to their result record;
 * every command has a timeout, and a gdb that dies or hangs becomes a {@link GdbException}.
 *
 * STUB: signatures are fixed; implementation to be filled in.
 */
public final class GdbSession implements AutoCloseable {

    /** Default per-command timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Starts gdb. The executable is {@code $CHANSCOPE_GDB} when set, else {@code gdb} on PATH.
     * Checks the version (needs 12 or newer for MI3 and the Go support we use).
     *
     * @throws GdbException with a one-line message naming what to install when gdb is missing or too old
     */
    public static GdbSession start() { throw new UnsupportedOperationException("stub"); }

    /** Like {@link #start()} with an explicit gdb executable. */
    public static GdbSession start(String gdbExecutable) { throw new UnsupportedOperationException("stub"); }

    public GdbVersion version() { throw new UnsupportedOperationException("stub"); }

    /**
     * Sends an MI command ("-data-evaluate-expression ...") and waits for its result record.
     * Stream and async records that arrive before the result are collected in the returned value.
     *
     * @throws GdbCommandException on {@code ^error} (message is gdb's msg field)
     * @throws GdbException on timeout or when gdb exits
     */
    public MiResult execute(String miCommand) { throw new UnsupportedOperationException("stub"); }

    public MiResult execute(String miCommand, Duration timeout) { throw new UnsupportedOperationException("stub"); }

    /**
     * Runs a CLI command through {@code -interpreter-exec console} (quoted with {@link MiQuote})
     * and returns the console-stream output it printed, concatenated.
     */
    public String console(String cliCommand) { throw new UnsupportedOperationException("stub"); }

    /** Loads an executable: {@code -file-exec-and-symbols} with the path quoted for MI. */
    public void loadExecutable(Path executable) { throw new UnsupportedOperationException("stub"); }

    /** Opens a core: {@code -target-select core} with the path quoted for MI. */
    public void openCore(Path core) { throw new UnsupportedOperationException("stub"); }

    /** Everything gdb printed on its log stream and stderr recently (for error messages). */
    public List<String> recentLog() { throw new UnsupportedOperationException("stub"); }

    /** Asks gdb to exit ({@code -gdb-exit}), then kills it if it does not within a second. Idempotent. */
    @Override
    public void close() { throw new UnsupportedOperationException("stub"); }
}
