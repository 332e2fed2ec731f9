package dev.chanscope;

/** Process exit codes, documented in docs/usage.md. */
public enum ExitCode {
    OK(0),
    /** Analysis ran but the result is partial (some structure could not be read). */
    PARTIAL(1),
    /** Bad command line. */
    USAGE(2),
    /** The input is not something chanscope can analyze (not a core, not Go, unreadable). */
    BAD_INPUT(3),
    /** The binary does not match the core. */
    BINARY_MISMATCH(4),
    /** gdb is missing, too old, died or hung. */
    GDB(5),
    /** The Java heap ran out (a huge input, a small -Xmx): one line, never a stack trace. */
    OUT_OF_MEMORY(6),
    /** A bug in chanscope. */
    INTERNAL(70);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
