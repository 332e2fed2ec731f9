package dev.chanscope.goruntime;

import java.util.List;

/** A closed channel that goroutines still hold, and those goroutines. */
public record BlockedClosedChannel(Hchan channel, List<BlockedHolder> holders) {}
