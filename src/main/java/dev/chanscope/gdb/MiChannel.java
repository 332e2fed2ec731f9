package dev.chanscope.gdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Reads gdb's stdout on its own thread, parses each line and routes it: console text and the
 * result record to the command waiting for them, log text to the recent log, async records
 * to a short history. Nothing here blocks on the caller, so gdb can never stall on a full pipe.
 */
final class MiChannel {
    /** A line that claims to be a result record: if it does not parse, the waiting command must hear about it. */
    private static final Pattern RESULT_LIKE = Pattern.compile("^\\d*\\^");
    private static final int MAX_ASYNC_RECORDS = 100;

    /**
     * The most gdb may write in one line, and as console text for one command, in characters:
     * 64 Mi, or an eighth of the heap when that is less. The largest MI answers chanscope asks for are memory reads of
     * 1 MiB (2 Mi hex digits) and -thread-info; a gdb writing more is broken or fed a hostile
     * file, and without a cap it ran the JVM out of memory (5.4 GB, then OutOfMemoryError).
     * {@code CHANSCOPE_GDB_OUTPUT_MAX} lowers it (for tests).
     */
    static final long MAX_OUTPUT_CHARS = outputCap();

    private final java.io.Reader stdout;
    private final RecentLines log;
    private final AtomicReference<PendingCommand> pending = new AtomicReference<>();
    private final ArrayDeque<MiRecord.AsyncRecord> asyncRecords = new ArrayDeque<>();
    private final Thread thread;

    MiChannel(InputStream stdout, RecentLines log, String threadName) {
        // Malformed UTF-8 becomes U+FFFD instead of killing the reader.
        this.stdout = new InputStreamReader(stdout, StandardCharsets.UTF_8);
        this.log = log;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Routes output to {@code command} until {@link #clear}. */
    void expect(PendingCommand command) {
        pending.set(command);
    }

    void clear(PendingCommand command) {
        pending.compareAndSet(command, null);
    }

    /** The command waiting for its answer, or null. */
    PendingCommand pending() {
        return pending.get();
    }

    /** Waits until gdb's stdout reached its end (everything gdb wrote has been routed). */
    void awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
    }

    synchronized List<MiRecord.AsyncRecord> recentAsyncRecords() {
        return List.copyOf(asyncRecords);
    }

    private static long outputCap() {
        String v = System.getenv("CHANSCOPE_GDB_OUTPUT_MAX");
        try {
            if (v != null && !v.isBlank()) {
                return Math.max(1024, Long.parseLong(v.strip()));
            }
        } catch (NumberFormatException e) {
            // the default below
        }
        // An eighth of the heap (a StringBuilder doubling towards the cap needs twice the cap
        // in bytes), at least 4 Mi characters (twice the largest memory read), at most 64 Mi.
        return Math.min(64L << 20, Math.max(4L << 20, Runtime.getRuntime().maxMemory() / 8));
    }

    private void run() {
        char[] buf = new char[1 << 16];
        StringBuilder line = new StringBuilder();
        boolean overflowing = false; // discarding the rest of a line over the cap
        try {
            int n;
            while ((n = stdout.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    if (!overflowing) {
                        line.append(buf, start, i - start);
                        int end = line.length();
                        if (end > 0 && line.charAt(end - 1) == '\r') {
                            line.setLength(end - 1);
                        }
                        handle(line.toString());
                    }
                    line.setLength(0);
                    line.trimToSize();
                    overflowing = false;
                    start = i + 1;
                }
                if (!overflowing) {
                    line.append(buf, start, n - start);
                    if (line.length() > MAX_OUTPUT_CHARS) {
                        overflowing = true;
                        line.setLength(0);
                        line.trimToSize();
                        overflow("one line of gdb's output is longer than " + MAX_OUTPUT_CHARS + " characters");
                    }
                }
            }
            if (!overflowing && line.length() > 0) {
                handle(line.toString());
            }
        } catch (IOException e) {
            log.add("reading gdb's output failed: " + e.getMessage());
        }
    }

    /** Fails the waiting command: its answer cannot be trusted once output was dropped. */
    private void overflow(String what) {
        PendingCommand command = pending.get();
        GdbException e = new GdbException(what + "; chanscope stopped reading it (gdb is broken, or the input"
                + " makes it print without end)");
        if (command != null) {
            command.fail(e);
        }
        log.add(what);
    }

    private void handle(String line) {
        MiRecord record;
        try {
            record = MiParser.parse(line);
        } catch (MiParseException e) {
            PendingCommand command = pending.get();
            if (command != null && RESULT_LIKE.matcher(line).find()) {
                // The answer itself is unreadable: fail now instead of waiting for the timeout.
                command.fail(e);
            } else {
                log.add("not MI output: " + line);
            }
            return;
        } catch (RuntimeException e) {
            // A parser bug must not kill the reader: that would turn every later command into a timeout.
            PendingCommand command = pending.get();
            if (command != null) {
                command.fail(new GdbException("chanscope failed to parse gdb output (a bug): " + e, e));
            }
            log.add("unparsed gdb output: " + line);
            return;
        }
        route(record);
    }

    private void route(MiRecord record) {
        // Java 17: no pattern matching for switch yet, hence the instanceof chain.
        if (record instanceof MiRecord.ResultRecord result) {
            PendingCommand command = pending.get();
            // Untokened or stale results (the -gdb-exit sent by close) have nobody waiting.
            if (command != null && result.token().isPresent() && result.token().getAsLong() == command.token()) {
                command.result().complete(result);
            }
        } else if (record instanceof MiRecord.StreamRecord stream) {
            if (stream.kind() == MiRecord.StreamKind.CONSOLE) {
                PendingCommand command = pending.get();
                if (command != null && !command.appendConsole(stream.text(), MAX_OUTPUT_CHARS)) {
                    overflow("gdb printed more than " + MAX_OUTPUT_CHARS + " characters for one command ("
                            + command.command() + ")");
                }
            } else {
                log.addText(stream.text());
            }
        } else if (record instanceof MiRecord.AsyncRecord async) {
            rememberAsync(async);
        }
        // A Prompt ends a batch of output; tokens already tell which answer is which.
    }

    private synchronized void rememberAsync(MiRecord.AsyncRecord async) {
        if (asyncRecords.size() == MAX_ASYNC_RECORDS) {
            asyncRecords.removeFirst();
        }
        asyncRecords.addLast(async);
    }
}
