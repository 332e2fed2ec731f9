package dev.chanscope.batch;

import java.nio.file.Path;

/**
 * Analyzes one core as {@code chanscope analyze --json} would, with a gdb of its own. Called
 * from several threads at once; an implementation must share nothing mutable between calls.
 * The batch interrupts the calling thread at the core's timeout: the gdb wait then fails and
 * the session kills its gdb.
 */
@FunctionalInterface
public interface CoreAnalyzer {
    /**
     * @return the analyze report (docs/json-schema.md), diagnosis included, its goroutine list written on demand
     * @throws dev.chanscope.ChanscopeException for a core that cannot be analyzed (its exit code and one-line message go into the error line)
     */
    CoreReport analyze(Path core);
}
