package dev.chanscope.binary;

import java.util.Optional;

/**
 * Where a goroutine starts: the root {@link BinaryFacts#rootsReaching} reports.
 *
 * @param name    the root's name: for a {@code go} statement the function the user wrote after
 *                {@code go} (the go wrapper's callee, when the target is a wrapper), else the
 *                start function itself; "main.main" or the init function for the main goroutine
 * @param start   the physical function the goroutine starts in: the funcval passed to
 *                runtime.newproc ({@code g.startpc}, e.g. "main.main.gowrap1"); reachability is
 *                computed from here
 * @param kind    how the goroutine is started
 * @param spawner the function holding the {@code go} statement (empty for the main goroutine)
 * @param spawnPc the CALL runtime.newproc instruction (0 for the main goroutine)
 * @param spawnedAt the {@code go} statement's source position (empty for the main goroutine)
 */
public record GoRoot(String name, String start, Kind kind, Optional<String> spawner, long spawnPc,
                     Optional<SourcePos> spawnedAt) {

    public enum Kind {
        /** main.main: the main goroutine */
        MAIN,
        /** a package init function: also run by the main goroutine, before main.main */
        INIT,
        /** a {@code go} statement */
        GO
    }
}
