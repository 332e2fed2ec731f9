package dev.chanscope.goruntime;

import java.util.List;
import java.util.Optional;

/**
 * A goroutine as the runtime's {@code g} describes it, with its unwound stack.
 *
 * @param address     the g's address
 * @param waitReason  the runtime's wait reason text when waiting ("chan send"), else empty
 * @param waitSince   g.waitsince (nanotime at which it blocked; 0 when unknown)
 * @param createdBy   where the {@code go} statement is ({@code g.gopc}), empty for goroutine 1 and runtime roots
 * @param parentId    the creating goroutine's id (Go 1.21+), 0 when unknown
 * @param startFunction the function the goroutine started in ({@code g.startpc})
 * @param threadLwp   the OS thread running it, -1 when none
 * @param stackSource how the stack was found: "thread", "signal-context", "syscall", "sched", "gdb" (gdb's own unwinder, the last resort for a thread), "none"
 * @param waitingSudog g.waiting: the sudog it is (or was just) blocked with, 0 when none
 * @param framesCut   the unwinding stopped at the depth asked for ({@code goroutines -t}) and the
 *                    stack goes on: {@code frames} is its innermost part only
 */
public record Goroutine(
        long address,
        long id,
        GoStatus status,
        String waitReason,
        long waitSince,
        Optional<Frame> createdBy,
        long parentId,
        String startFunction,
        int threadLwp,
        boolean lockedToThread,
        long panicAddress,
        long waitingSudog,
        String stackSource,
        List<PhysicalFrame> stack,
        List<Frame> frames,
        Optional<String> stackError,
        boolean framesCut) {

    /** A goroutine unwound in full. */
    public Goroutine(long address, long id, GoStatus status, String waitReason, long waitSince,
                     Optional<Frame> createdBy, long parentId, String startFunction, int threadLwp,
                     boolean lockedToThread, long panicAddress, long waitingSudog, String stackSource,
                     List<PhysicalFrame> stack, List<Frame> frames, Optional<String> stackError) {
        this(address, id, status, waitReason, waitSince, createdBy, parentId, startFunction, threadLwp, lockedToThread,
                panicAddress, waitingSudog, stackSource, stack, frames, stackError, false);
    }

    /** What the runtime prints between the brackets: the wait reason when waiting, else the status. */
    public String state() {
        if (status.kind() == GoStatus.Kind.WAITING && !waitReason.isEmpty()) {
            return waitReason;
        }
        return status.name();
    }

    public boolean hasFunction(String function) {
        return frames.stream().anyMatch(f -> f.function().equals(function));
    }
}
