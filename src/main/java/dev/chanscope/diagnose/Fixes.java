package dev.chanscope.diagnose;

import dev.chanscope.binary.SourcePos;
import dev.chanscope.goruntime.Hchan;
import java.util.List;
import java.util.Optional;

/** TAXONOMY.md's fixes, written with the program's own function names and channel type. */
final class Fixes {
    private Fixes() {
    }

    /** No panic at all (a healthy live process): nothing to fix from this snapshot. */
    static Diagnosis.Fix nothing() {
        return new Diagnosis.Fix("Nothing to fix from this snapshot: no goroutine is panicking; the blocked"
                + " goroutines and channels below show what the program is waiting for.", List.of());
    }

    static Diagnosis.Fix none(String message) {
        return new Diagnosis.Fix("Not a channel race: start from the panic itself (" + message + ").", List.of());
    }

    static Diagnosis.Fix closeOfNil(Optional<SourcePos> victim) {
        String fn = victim.map(SourcePos::function).orElse("the closing function");
        return new Diagnosis.Fix("The channel closed in " + fn + " was never made.", List.of(
                "Make the channel where its owner is constructed (or started), not lazily.",
                "Or make " + fn + " tolerate a component that never started: check for nil (or a started flag)"
                        + " before closing, and make it idempotent with sync.Once."));
    }

    static Diagnosis.Fix forPattern(Pattern p, Optional<CloserCandidate> closer, Optional<SourcePos> sender,
                                    Optional<Hchan> channel) {
        return forPattern(p, closer, sender, channel, false);
    }

    /**
     * @param closerMayBeVictim the goroutine that panicked may have run the close itself, earlier:
     *     never tell the closer to wait for it
     */
    static Diagnosis.Fix forPattern(Pattern p, Optional<CloserCandidate> closer, Optional<SourcePos> sender,
                                    Optional<Hchan> channel, boolean closerMayBeVictim) {
        return forPattern(p, closer, sender, channel, closerMayBeVictim, List.of());
    }

    /** @param otherSites the other closing sites of the channel (file:line), besides the closer's */
    static Diagnosis.Fix forPattern(Pattern p, Optional<CloserCandidate> closer, Optional<SourcePos> sender,
                                    Optional<Hchan> channel, boolean closerMayBeVictim, List<String> otherSites) {
        String ch = channel.map(c -> "the chan " + c.elemType()).orElse("the channel");
        String closerFn = closer.map(c -> c.site().wrapper() == dev.chanscope.binary.CallSite.Wrapper.DEFER_WRAPPER
                ? Wrappers.enclosing(c.site().physical()) : c.site().source().function()).orElse("the closer");
        String closeAt = closer.map(c -> " (" + c.site().source().location() + ")").orElse("");
        String senderFn = sender.map(SourcePos::function).orElse("the sender");
        return switch (p) {
            case MULTI_CLOSER -> new Diagnosis.Fix("Give " + ch + " one owner that closes it.", List.of(
                    "Let exactly one goroutine close it; every place that now closes it (" + closerFn + closeAt
                            + (otherSites.isEmpty() ? "" : ", " + String.join(", ", otherSites)) + ")"
                            + " should ask that owner instead (a done channel or context cancellation).",
                    "If several parties must be able to shut it down, wrap the close in a sync.Once owned with the"
                            + " channel.",
                    "The owner closes only after " + senderFn + " and every other sender has stopped."));
            case SEND_THEN_CLOSE -> closerMayBeVictim
                    ? new Diagnosis.Fix("After " + closerFn + " closes " + ch + ", nothing may send on it, and "
                    + senderFn + " may run in the same goroutine, later: do not wait for it, mark the channel done.",
                    List.of("Keep a done flag beside the channel, guarded by one mutex: " + closerFn + " sets it and"
                                    + " closes" + closeAt + " under the lock, and " + senderFn
                                    + " checks it under the same lock and returns an error instead of sending.",
                            "Or never close it from " + closerFn + ": signal the end through a separate done channel"
                                    + " (or context) that " + senderFn + " selects on."))
                    : new Diagnosis.Fix("A sender must not close " + ch + " while " + senderFn + " may still send.",
                    List.of("Stop " + senderFn + " first (a done channel or context it selects on), and wait for"
                                    + " it (sync.WaitGroup, Add before each go statement) before " + closerFn
                                    + " closes the channel" + closeAt + "; its own last send before the close stays.",
                            "Or take the close out of " + closerFn + ": one coordinator waits for every sender and"
                                    + " closes once."));
            case DOUBLE_CLOSE -> new Diagnosis.Fix("Make the close in " + closerFn + " idempotent.", List.of(
                    "Guard the close" + closeAt + " with a sync.Once stored beside the channel, so a second"
                            + " Close/Stop is a no-op.",
                    "Or give the channel a single owner and route the other shutdown path through it."));
            case PREMATURE_CLOSE -> new Diagnosis.Fix("Close " + ch + " only after every sender has finished.",
                    List.of("In " + closerFn + closeAt + ", wait for the senders (sync.WaitGroup with Add before the"
                                    + " go statement, not inside the goroutine) before closing.",
                            "If the closer gives up on a timeout, do not close the data channel: tell the senders to"
                                    + " stop through a separate done channel or context, and let " + senderFn
                                    + " select on it."));
            case SELECT_CLOSE -> new Diagnosis.Fix("A select/default check before close is not atomic.", List.of(
                    "Replace the guard in " + closerFn + closeAt + " with sync.Once or"
                            + " atomic.Bool.CompareAndSwap(false, true) before closing.",
                    "Never close a channel that other select cases may still send on: signal a timeout or"
                            + " cancellation through a separate done channel."));
            case DEFER_CLOSE -> new Diagnosis.Fix("The deferred close in " + closerFn + " runs too early.", List.of(
                    "Before " + closerFn + " returns, wait for the goroutines it started (sync.WaitGroup), so the"
                            + " deferred close runs after their last send; that includes early returns on errors.",
                    "Or move the close to the channel's owner, and let " + senderFn + " stop on a done channel."));
            case CLOSE_OF_NIL -> closeOfNil(sender);
            case NOT_CHANNEL_PANIC, UNDETERMINED -> new Diagnosis.Fix(
                    "No fix suggested: the pattern is not determined.", List.of());
        };
    }
}
