package dev.chanscope.goruntime;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;

/** The binary lacks a runtime structure chanscope needs (stripped DWARF, unsupported Go). */
public final class RuntimeLayoutException extends ChanscopeException {
    public RuntimeLayoutException(String message) {
        super(ExitCode.BAD_INPUT, message);
    }
}
