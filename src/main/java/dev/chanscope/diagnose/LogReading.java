package dev.chanscope.diagnose;

import java.util.List;

/**
 * The snapshot was built from a crash log's traceback, not read from a core: what the runtime
 * printed is there (goroutines, states, frames, the panic), what only memory holds is not.
 *
 * @param absent what a core would have added, one line each ("the channel's hchan: ...")
 */
public record LogReading(List<String> absent) {
    public LogReading {
        absent = List.copyOf(absent);
    }
}
