package dev.chanscope;

/**
 * A failure the user can act on: it carries the one-line message the CLI prints and the
 * process exit code. Anything else that escapes is a bug in chanscope.
 */
public class ChanscopeException extends RuntimeException {
    private final ExitCode exitCode;

    public ChanscopeException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ChanscopeException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
