package dev.chanscope.goruntime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything read from one target: the input of diagnosis and reports. Built once; the stages
 * after this never touch gdb.
 *
 * @param waitingOn goroutine id → address of the channel it is parked on
 * @param layouts   where the runtime's struct layouts came from ({@link GoRuntime#layoutSource}):
 *                  "DWARF", or "built-in table for go1.26.8/amd64" for a stripped binary
 */
public record Snapshot(String goVersion, String target, Optional<PanicRecord> panic, Optional<Hchan> channel,
                       List<Goroutine> goroutines, Map<Long, Long> waitingOn, List<String> warnings, String layouts) {

    /** The same reading with other warnings. */
    public Snapshot withWarnings(List<String> newWarnings) {
        return new Snapshot(goVersion, target, panic, channel, goroutines, waitingOn, List.copyOf(newWarnings), layouts);
    }

    /**
     * Warnings that start with this say the core holds a state the runtime cannot be in (a
     * damaged core): the report is partial, and the diagnosis caps its confidence below 0.8.
     */
    public static final String IMPLAUSIBLE = "implausible: ";

    /** The impossible states found (warnings starting with {@link #IMPLAUSIBLE}), without the prefix. */
    public List<String> implausible() {
        return warnings.stream().filter(w -> w.startsWith(IMPLAUSIBLE)).map(w -> w.substring(IMPLAUSIBLE.length())).toList();
    }

    public Optional<Goroutine> goroutine(long id) {
        return goroutines.stream().filter(g -> g.id() == id).findFirst();
    }
}
