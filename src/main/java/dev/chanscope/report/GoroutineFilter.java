package dev.chanscope.report;

import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Snapshot;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which goroutines a listing shows ({@code goroutines --state/--wait-reason/--function}); every
 * condition given must hold.
 *
 * @param state      the runtime's status name ("waiting", "runnable") or the state shown between
 *                   the brackets (the wait reason when waiting), case-insensitive
 * @param waitReason a part of the wait reason ("chan receive", "select"), case-insensitive
 * @param function   a frame's function contains this text, or matches it as a regular expression
 */
public record GoroutineFilter(Optional<String> state, Optional<String> waitReason, Optional<String> function,
                              Optional<Pattern> functionRegex) {
    public static final GoroutineFilter ALL = of(Optional.empty(), Optional.empty(), Optional.empty());

    public static GoroutineFilter of(Optional<String> state, Optional<String> waitReason, Optional<String> function) {
        Optional<Pattern> re;
        try {
            re = function.map(Pattern::compile);
        } catch (PatternSyntaxException e) {
            re = Optional.empty(); // not a regular expression: matched as text only
        }
        return new GoroutineFilter(state, waitReason, function, re);
    }

    public boolean test(Goroutine g, Snapshot s) {
        if (state.isPresent() && !state.get().equalsIgnoreCase(g.status().name())
                && !state.get().equalsIgnoreCase(g.state())) {
            return false;
        }
        if (waitReason.isPresent() && !lower(g.waitReason()).contains(lower(waitReason.get()))) {
            return false;
        }
        if (function.isPresent()) {
            for (Frame f : g.frames()) {
                if (f.function().contains(function.get())
                        || functionRegex.isPresent() && functionRegex.get().matcher(f.function()).find()) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    public boolean all() {
        return state.isEmpty() && waitReason.isEmpty() && function.isEmpty();
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
