package dev.chanscope.gdb;

import java.io.BufferedReader;
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

    private final BufferedReader stdout;
    private final RecentLines log;
    private final AtomicReference<PendingCommand> pending = new AtomicReference<>();
    private final ArrayDeque<MiRecord.AsyncRecord> asyncRecords = new ArrayDeque<>();
    private final Thread thread;

    MiChannel(InputStream stdout, RecentLines log, String threadName) {
        // Malformed UTF-8 becomes U+FFFD instead of killing the reader.
        this.stdout = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8), 1 << 16);
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

    private void run() {
        try {
            String line;
            while ((line = stdout.readLine()) != null) {
                handle(line);
            }
        } catch (IOException e) {
            log.add("reading gdb's output failed: " + e.getMessage());
        }
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
                if (command != null) {
                    command.appendConsole(stream.text());
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
