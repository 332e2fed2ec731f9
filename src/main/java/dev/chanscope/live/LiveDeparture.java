package dev.chanscope.live;

import java.util.List;
import java.util.Optional;

/**
 * How chanscope left a process: its state before attaching and after detaching, how long it
 * was held stopped, and what had to be done to put it back.
 *
 * @param pausedNanos  from the attach request to the end of the detach: how long a running
 *                     process could not run because of chanscope (an upper bound)
 * @param restore      signals sent to restore the state found ("SIGSTOP: ..."), usually none
 * @param abandoned    why the session ended early (timeout, interrupt), empty on a normal detach
 */
public record LiveDeparture(LiveProcess.State before, LiveProcess.State after, long pausedNanos,
                            List<String> restore, Optional<String> abandoned) {

    /** The process is in the state it was found in (stopped stays stopped, running runs). */
    public boolean restored() {
        return before.stopped() == after.stopped() && !after.gone() && after.process() != 't';
    }
}
