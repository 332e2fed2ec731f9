package dev.chanscope.gdb;

import java.util.concurrent.CompletableFuture;

/**
 * One command waiting for its result record. The reader thread fills it; the caller waits on
 * {@link #result()}. Console text is appended by the reader only, and read by the caller after
 * the future completed, which orders the two.
 */
final class PendingCommand {
    private final long token;
    private final String command;
    private final StringBuilder console = new StringBuilder();
    private final CompletableFuture<MiRecord.ResultRecord> result = new CompletableFuture<>();

    PendingCommand(long token, String command) {
        this.token = token;
        this.command = command;
    }

    long token() {
        return token;
    }

    String command() {
        return command;
    }

    /** @return false, appending nothing more, once the console text would exceed {@code max} characters */
    synchronized boolean appendConsole(String text, long max) {
        if (console.length() + (long) text.length() > max) {
            return false;
        }
        console.append(text);
        return true;
    }

    synchronized String console() {
        return console.toString();
    }

    CompletableFuture<MiRecord.ResultRecord> result() {
        return result;
    }

    /** First outcome wins: a late "gdb died" cannot overwrite an answer already delivered. */
    void fail(GdbException e) {
        result.completeExceptionally(e);
    }
}
