package dev.chanscope.diagnose;

import dev.chanscope.binary.BinaryFacts;
import dev.chanscope.goruntime.ChannelHolder;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.proc.TypeCatalog;
import java.util.List;
import java.util.Optional;

/**
 * Everything the diagnosis weighs: the runtime snapshot, the binary's call sites, the goroutines
 * still holding the channel, the source when available, and DWARF types for field evidence.
 *
 * @param log present when the snapshot comes from a crash log rather than a core: the
 *            goroutines that exited, the channel's state and the stacks' memory are unknown
 */
public record DiagnosisInput(Snapshot snapshot, BinaryFacts binary, List<ChannelHolder> holders,
                             SourceIndex source, Optional<TypeCatalog> types, Optional<LogReading> log) {

    /** A core's (or a live process's) reading. */
    public DiagnosisInput(Snapshot snapshot, BinaryFacts binary, List<ChannelHolder> holders, SourceIndex source,
                          Optional<TypeCatalog> types) {
        this(snapshot, binary, holders, source, types, Optional.empty());
    }
}
