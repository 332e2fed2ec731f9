package dev.chanscope.gdb;

import java.util.OptionalLong;

/**
 * One line of gdb/MI output, as defined in the GDB manual ("GDB/MI Output Syntax").
 * {@link MiParser} produces these; {@link GdbSession} routes them.
 */
public sealed interface MiRecord {

    /** {@code [token]^done|running|connected|error|exit[,results]}: the answer to one command. */
    record ResultRecord(OptionalLong token, String resultClass, MiValue.Tuple results) implements MiRecord {}

    /** {@code [token]*class,...}, {@code +class,...} or {@code =class,...}: events not tied to a command's answer. */
    record AsyncRecord(OptionalLong token, AsyncKind kind, String asyncClass, MiValue.Tuple results)
            implements MiRecord {}

    /** {@code ~"..."}, {@code @"..."} or {@code &"..."}: text, already unescaped. */
    record StreamRecord(StreamKind kind, String text) implements MiRecord {}

    /** The {@code (gdb)} line that ends each batch of output. */
    record Prompt() implements MiRecord {}

    enum AsyncKind {
        /** {@code *}: the target's execution state changed (running, stopped). */
        EXEC,
        /** {@code +}: progress of a slow operation. */
        STATUS,
        /** {@code =}: something changed (thread created, library loaded, setting changed). */
        NOTIFY
    }

    enum StreamKind {
        /** {@code ~}: what the CLI would print. */
        CONSOLE,
        /** {@code @}: output of a remote target program. */
        TARGET,
        /** {@code &}: gdb's own messages (warnings, error texts). */
        LOG
    }
}
