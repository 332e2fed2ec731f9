package dev.chanscope.goruntime;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A goroutine parked on a channel operation.
 *
 * @param goroutine   its id
 * @param operation   "send" or "receive" (its sudog is in the channel's sendq or recvq), "?" when
 *                    it is in neither queue
 * @param select      it is parked in a select (one sudog per case, each on its own channel)
 * @param state       the runtime's wait reason ("chan send", "select", "chan receive (nil chan)")
 * @param waitSince   g.waitsince, the runtime's own estimate of when the goroutine blocked, in
 *                    nanotime: a GC's mark phase that finds it blocked with waitsince 0 sets it
 *                    to work.tstart, the time the previous cycle's mark termination began
 *                    (runtime/mgcmark.go markroot, mgc.go gcMark). So it is 0 until the second
 *                    GC after the goroutine blocked, and then right to within about one GC cycle
 * @param blockedFor  the clock at the snapshot minus waitSince: what the runtime's traceback
 *                    prints as "N minutes"; empty when either is unknown
 * @param at          where in user code it waits (its first frame outside the runtime)
 */
public record BlockedWaiter(long goroutine, String operation, boolean select, String state, long waitSince,
                            OptionalLong blockedFor, Optional<Frame> at) {}
