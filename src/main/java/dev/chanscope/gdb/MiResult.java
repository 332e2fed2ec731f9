package dev.chanscope.gdb;

import java.util.List;

/**
 * The outcome of one MI command: the result class ({@code done}, {@code running},
 * {@code connected}, {@code exit}; {@code error} is thrown as {@link GdbCommandException}),
 * its results, and the console-stream text printed while it ran.
 */
public record MiResult(String resultClass, MiValue.Tuple results, String consoleOutput) {
}
