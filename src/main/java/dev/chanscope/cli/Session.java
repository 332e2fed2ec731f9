package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.acquire.AcquiredInput;
import dev.chanscope.acquire.Acquirer;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.report.JsonReport;
import dev.chanscope.target.CoreTarget;
import dev.chanscope.target.ElfFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Acquire the input, find the binary, open the target, read the snapshot. */
final class Session {
    record Result(Snapshot snapshot, JsonReport.Input input) {}

    private Session() {
    }

    static Result read(TargetOptions o, int maxFrames, PrintWriter err) {
        Progress progress = new Progress(err);
        Acquirer acquirer = new Acquirer(Acquirer.defaultCacheDir(), o.maxCoreSize, progress);
        AcquiredInput in = acquirer.acquire(o.core);
        progress.done();
        Path binary = resolveBinary(o, in);
        if (o.binary != null) {
            binary = acquirer.acquire(binary).core(); // a compressed binary is unwrapped like a core
        }
        try (CoreTarget target = CoreTarget.open(in.core(), binary, o.force)) {
            Snapshot s = new SnapshotReader(maxFrames).read(target);
            String shownBinary = o.binary != null ? o.binary.toString()
                    : in.binary().isPresent() ? "(from the bundle)" : binary.toString();
            return new Result(s, new JsonReport.Input(o.core.toString(), shownBinary, in.layers()));
        }
    }

    private static Path resolveBinary(TargetOptions o, AcquiredInput in) {
        if (o.binary != null) {
            if (!Files.isRegularFile(o.binary)) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "binary " + o.binary + " does not exist");
            }
            return o.binary;
        }
        if (in.binary().isPresent()) {
            return in.binary().get();
        }
        Optional<Path> recorded = recordedExecutable(in.core());
        if (recorded.isPresent() && Files.isRegularFile(recorded.get())) {
            return recorded.get();
        }
        throw new ChanscopeException(ExitCode.USAGE, "no binary for " + o.core + ": pass it with --binary"
                + recorded.map(p -> " (the core names " + p + ", which is not here)").orElse(""));
    }

    /** The executable the core's NT_FILE note maps first (the kernel lists the main program first). */
    private static Optional<Path> recordedExecutable(Path core) {
        try (ElfFile f = ElfFile.open(core)) {
            if (f.type() != ElfFile.ET_CORE) {
                return Optional.empty();
            }
            return f.mappedFiles().stream().findFirst().map(m -> Path.of(m.path()));
        } catch (ChanscopeException e) {
            return Optional.empty();
        }
    }
}
