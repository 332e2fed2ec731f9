package dev.chanscope.diagnose;

import dev.chanscope.binary.BinaryScanner;
import dev.chanscope.binary.ScannedBinary;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.ChannelHolder;
import dev.chanscope.goruntime.ChannelHolders;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.proc.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Collects what the diagnosis needs beyond the snapshot while the target is still open (the
 * binary's call sites, the goroutines holding the channel) and runs the {@link Diagnoser}.
 */
public final class DiagnosisRunner {
    /** Heap objects holding the channel are searched this far from the channel's own address. */
    private static final long HEAP_WINDOW = 1L << 32;

    private DiagnosisRunner() {
    }

    /**
     * @param rt  the target's runtime, the one the snapshot was read with
     * @param exe the target's executable, already open (the target owns it)
     */
    public static Diagnosis run(GoRuntime rt, ElfFile exe, Snapshot snapshot, List<Path> sourceRoots) {
        return run(rt, exe, snapshot, new SourceIndex(sourceRoots));
    }

    public static Diagnosis run(GoRuntime rt, ElfFile exe, Snapshot snapshot, SourceIndex source) {
        Target target = rt.target();
        ScannedBinary binary = BinaryScanner.scan(exe, rt.pclntab());
        List<ChannelHolder> holders = snapshot.channel()
                .map(c -> new ChannelHolders(target.memory()).find(c.address(), snapshot.goroutines(),
                        Math.max(0, c.address() - HEAP_WINDOW), c.address() + HEAP_WINDOW))
                .orElse(List.of());
        // -trimpath file names start with a module path: map them to the roots by it.
        SourceIndex src = binary.buildInfo().map(b -> source.withModules(b.modules())).orElse(source);
        DiagnosisInput in = new DiagnosisInput(snapshot, binary, holders, src,
                Optional.of(target.types()));
        return new Diagnoser().diagnose(in);
    }

    /**
     * The diagnosis of a snapshot built from a crash log ({@code chanscope log}): the same rules
     * on the same binary facts, without what only memory holds (no goroutine holds the channel
     * as far as a log can tell, no DWARF types through gdb), limited by {@link Completeness#limitLog}.
     */
    public static Diagnosis runFromLog(ScannedBinary binary, Snapshot snapshot, SourceIndex source, LogReading log) {
        SourceIndex src = binary.buildInfo().map(b -> source.withModules(b.modules())).orElse(source);
        return new Diagnoser().diagnose(new DiagnosisInput(snapshot, binary, List.of(), src, Optional.empty(),
                Optional.of(log)));
    }
}
