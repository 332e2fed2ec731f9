package dev.chanscope.log;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code goroutine N [state]:} block of a traceback.
 *
 * @param id          the goroutine id; 0 is an M's g0 (the signal sections of GOTRACEBACK=crash)
 * @param gp          the g's address, printed from Go 1.24 ({@code gp=0x...}) at system level and above
 * @param m           the M running it ({@code m=3}), -1 when {@code m=nil} or not printed
 * @param state       what the runtime printed between the brackets, without the suffixes below:
 *                    the wait reason when waiting ("chan send", "select"), else the status ("running")
 * @param minutes     how long it has been waiting ({@code , 5 minutes}); 0 when under a minute
 * @param elided      the runtime left frames out ({@code ...additional frames elided...}, or the
 *                    1.21+ {@code ...N frames elided...} in the middle)
 * @param unavailable the runtime could not print the stack ({@code goroutine running on other thread; stack unavailable})
 */
public record TracebackGoroutine(long id, OptionalLong gp, int m, String state, boolean scan, int minutes,
                                 boolean lockedToThread, List<TracebackFrame> frames, Optional<CreatedBy> createdBy,
                                 boolean elided, boolean unavailable) {

    /** {@code created by F in goroutine N} and the {@code go} statement's position. */
    public record CreatedBy(String function, long parentId, String file, int line, OptionalLong offset) {}

    /** The frames' function names and positions: what "identical stacks" compares. */
    public String stackKey() {
        StringBuilder b = new StringBuilder(state).append('|');
        frames.forEach(f -> b.append(f.function()).append('@').append(f.location()).append(';'));
        createdBy.ifPresent(c -> b.append("created by ").append(c.function()).append('@').append(c.file())
                .append(':').append(c.line()));
        return b.toString();
    }
}
