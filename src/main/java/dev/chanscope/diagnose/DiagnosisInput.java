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
 */
public record DiagnosisInput(Snapshot snapshot, BinaryFacts binary, List<ChannelHolder> holders,
                             SourceIndex source, Optional<TypeCatalog> types) {}
