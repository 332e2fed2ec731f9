package dev.chanscope.goruntime;

import java.util.List;
import java.util.OptionalLong;

/**
 * The channels of a process that is not panicking, as an on-call engineer needs them: every
 * channel goroutines are parked on, goroutines parked forever (nil channel, empty select),
 * and closed channels goroutines still hold.
 *
 * @param now the target's nanotime at the snapshot, when known (a live process), for durations
 */
public record BlockedView(List<BlockedChannel> channels, List<BlockedWaiter> forever,
                          List<BlockedClosedChannel> closedHeld, OptionalLong now, List<String> warnings) {}
