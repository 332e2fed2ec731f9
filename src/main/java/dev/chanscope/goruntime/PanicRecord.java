package dev.chanscope.goruntime;

import java.util.List;
import java.util.Optional;

/**
 * The panic that killed the program.
 *
 * @param goroutineId   the panicking goroutine (0 when the crash is not a Go panic)
 * @param message       the panic value as the runtime printed it
 * @param site          the runtime check that raised it
 * @param runtimeFrame  the chansend/selectgo/closechan frame, when a channel panic
 * @param userFrame     the first frame outside the runtime: the user's send or close
 * @param chain         every panic on the goroutine, newest first (recovered and re-panicked ones included)
 */
public record PanicRecord(long goroutineId, String message, PanicKind kind, PanicSite site,
                          Optional<Frame> runtimeFrame, Optional<Frame> userFrame, List<ChainEntry> chain) {

    /** One {@code _panic} of the chain. */
    public record ChainEntry(String message, boolean recovered, boolean repanicked, boolean goexit) {}
}
