package dev.chanscope.report;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the live report says about the process itself and how chanscope left it, gathered by
 * the attach command from the target layer (the report does not depend on it).
 *
 * @param stateBefore        the process's state when chanscope came ("stopped (T)")
 * @param stateAfter         its state after chanscope left
 * @param stoppedBefore      it was stopped (T) before chanscope attached
 * @param restored           it is in the state it was found in
 * @param pausedNanos        how long chanscope held it (attach request to end of detach)
 * @param restore            signals sent to put it back, usually none
 * @param memoryPath         how memory was read ("process_vm_readv", "gdb (...)")
 * @param selfStoppingThread the thread that stopped the process with a signal to itself
 * @param snapshot           the core written with --snapshot
 */
public record LiveFacts(int pid, String name, String binary, String commandLine, String stateBefore,
                        String stateAfter, boolean stoppedBefore, boolean restored, long pausedNanos,
                        List<String> restore, String memoryPath, OptionalInt selfStoppingThread,
                        Optional<SnapshotFile> snapshot) {

    /**
     * @param format      "xz", "zstd", "gzip" or "plain"
     * @param bytes       the file's size
     * @param coreBytes   the uncompressed core's length
     * @param writeNanos  time writing the core while the process was held
     */
    public record SnapshotFile(String path, String format, long bytes, long coreBytes, long writeNanos) {}
}
