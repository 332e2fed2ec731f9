package dev.chanscope.goruntime;

import java.util.List;

/** A channel goroutines are parked on, decoded, with those goroutines. */
public record BlockedChannel(Hchan channel, List<BlockedWaiter> waiters) {}
