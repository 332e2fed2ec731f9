package dev.chanscope.gdb;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;

/** gdb is missing, too old, died, or did not answer in time. */
public class GdbException extends ChanscopeException {
    public GdbException(String message) {
        super(ExitCode.GDB, message);
    }

    public GdbException(String message, Throwable cause) {
        super(ExitCode.GDB, message, cause);
    }
}
