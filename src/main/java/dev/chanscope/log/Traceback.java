package dev.chanscope.log;

import java.util.List;
import java.util.Optional;

/**
 * One crash found in a log: the panic chain, the fatal error or signal, and the goroutines in
 * the order the runtime printed them (the crashing one first).
 *
 * @param panics     the {@code panic:} lines, oldest first as printpanics prints them; the last is
 *                   the one that killed the program
 * @param fatalError the text after {@code fatal error:} (runtime.throw), when there is one
 * @param signals    the signal headers ({@code SIGABRT: abort}, {@code [signal SIGSEGV: ...]}), in order
 * @param firstLine  the line of the log (1-based) where the crash starts
 * @param alsoPanicking goroutines that panicked while this crash was being printed: the runtime
 *                   listed them as running on another thread, then printed their own panic and
 *                   stack after this crash's (their stacks are merged into {@code goroutines})
 */
public record Traceback(List<PanicLine> panics, Optional<String> fatalError, List<Signal> signals,
                        List<TracebackGoroutine> goroutines, int firstLine, int lastLine, List<Long> alsoPanicking) {

    /** One {@code panic: VALUE [recovered]} line. */
    public record PanicLine(String message, boolean recovered, boolean repanicked) {}

    /**
     * A signal: {@code SIGABRT: abort} followed by {@code PC=0x.. m=N sigcode=N}, or the {@code
     * [signal SIGSEGV: segmentation violation code=.. addr=.. pc=..]} line under a panic.
     */
    public record Signal(String name, String description, String detail) {}

    /** The panic that killed the program: the last of the chain. */
    public Optional<PanicLine> panic() {
        return panics.isEmpty() ? Optional.empty() : Optional.of(panics.get(panics.size() - 1));
    }

    /** Goroutines other than the Ms' g0 stacks (id 0), which GOTRACEBACK=crash prints per signal. */
    public List<TracebackGoroutine> userGoroutines() {
        return goroutines.stream().filter(g -> g.id() != 0).toList();
    }

    /**
     * The goroutine that crashed: the runtime prints it first (for a panic, the panicking one;
     * for a signal, the one the signal interrupted, after the g0 of its M).
     */
    public Optional<TracebackGoroutine> crashing() {
        return userGoroutines().stream().findFirst();
    }

    /**
     * The traceback level the output shows: "none" (no goroutine), "single" (one goroutine),
     * "all" (several, without the runtime's frames), "system" (the runtime's frames and fp/sp/pc
     * in other goroutines than the crashing one, which a throw or a fatal signal prints that way
     * at any level), "crash" (the g0 stacks of the Ms, after a fatal signal). A fatal signal
     * raises the level the runtime prints at, so this is what the log holds, not the setting.
     */
    public String level() {
        List<TracebackGoroutine> gs = userGoroutines();
        if (gs.isEmpty()) {
            return "none";
        }
        if (goroutines.stream().anyMatch(g -> g.id() == 0) || signals.stream().anyMatch(s -> s.name().equals("SIGQUIT"))) {
            return "crash";
        }
        if (gs.size() - alsoPanicking.size() <= 1) {
            return "single";
        }
        boolean sys = gs.stream().skip(1).flatMap(g -> g.frames().stream())
                .anyMatch(f -> f.pc().isPresent() || f.function().startsWith("runtime."));
        return sys ? "system" : "all";
    }
}
