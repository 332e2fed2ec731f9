package dev.chanscope.goruntime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything read from one target: the input of diagnosis and reports. Built once; the stages
 * after this never touch gdb.
 *
 * @param waitingOn goroutine id → address of the channel it is parked on
 */
public record Snapshot(String goVersion, String target, Optional<PanicRecord> panic, Optional<Hchan> channel,
                       List<Goroutine> goroutines, Map<Long, Long> waitingOn, List<String> warnings) {

    public Optional<Goroutine> goroutine(long id) {
        return goroutines.stream().filter(g -> g.id() == id).findFirst();
    }
}
