package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.acquire.AcquiredInput;
import dev.chanscope.acquire.Acquirer;
import dev.chanscope.core.CoreTarget;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.DiagnosisRunner;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.elf.BuildIds;
import dev.chanscope.elf.BuildMatch;
import dev.chanscope.elf.BuildSearch;
import dev.chanscope.elf.CoreBuildIds;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.report.JsonReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Acquire the input, find the binary, open the target, read the snapshot. */
final class Session {
    /** @param diagnosis present when one was asked for and could be made */
    record Result(Snapshot snapshot, JsonReport.Input input, Optional<Diagnosis> diagnosis, List<String> notes,
                  Timings timings) {
        List<String> warnings() {
            return snapshot.warnings();
        }

        /** Ends the report stage and prints the timings, when --timings asked for them. */
        void reported(TargetOptions o, PrintWriter err) {
            timings.lap("report");
            if (o.timings) {
                timings.print(err);
            }
        }
    }

    /**
     * The executable to analyze with.
     *
     * @param file  the plain file (unpacked when it came compressed)
     * @param name  how messages name it
     * @param shown what the report's input section shows
     */
    private record Binary(Path file, String name, String shown) {}

    private Session() {
    }

    static Result read(TargetOptions o, int maxFrames, PrintWriter err) {
        return read(o, maxFrames, err, Optional.empty());
    }

    /** Without a diagnosis, parked goroutines unwound to {@code parkedDepth + 1} frames only (-1: all). */
    static Result read(TargetOptions o, int maxFrames, int parkedDepth, PrintWriter err) {
        return read(o, maxFrames, parkedDepth, err, Optional.empty());
    }

    /** @param source when present, also diagnose the race, reading source through it */
    static Result read(TargetOptions o, int maxFrames, PrintWriter err, Optional<SourceIndex> source) {
        return read(o, maxFrames, -1, err, source);
    }

    private static Result read(TargetOptions o, int maxFrames, int parkedDepth, PrintWriter err,
                               Optional<SourceIndex> source) {
        o.resolve(err);
        try {
            return readChecked(o, maxFrames, parkedDepth, err, source);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | NegativeArraySizeException
                 | ArithmeticException | java.nio.BufferUnderflowException | MemoryAccessException e) {
            // What only damaged data causes (an index, a length or a size read from the core that
            // is out of range): a clean error naming the input, never an internal error. The
            // readers turn what they expect into warnings; this is the net under them.
            if (System.getenv("CHANSCOPE_DEBUG") != null) {
                e.printStackTrace(err);
            }
            throw new ChanscopeException(ExitCode.BAD_INPUT, o.core + " is damaged: its data is inconsistent ("
                    + damage(e) + ")", e);
        }
    }

    /** The exception's message without the Java class name ("index 9 out of bounds for length 4"). */
    static String damage(RuntimeException e) {
        String m = e.getMessage();
        return m != null && !m.isBlank() ? m : e.getClass().getSimpleName().replace("Exception", "").toLowerCase(
                java.util.Locale.ROOT);
    }

    private static Result readChecked(TargetOptions o, int maxFrames, int parkedDepth, PrintWriter err,
                                      Optional<SourceIndex> source) {
        Timings timings = new Timings();
        Progress progress = new Progress(err);
        try (Acquirer acquirer = new Acquirer(Acquirer.defaultCacheDir(), o.maxCoreSize, progress, !o.noCache,
                Acquirer.cacheLimit(TargetOptions.ByteSize::parse))) {
            return read(o, maxFrames, parkedDepth, source, progress, acquirer, timings);
        }
    }

    private static Result read(TargetOptions o, int maxFrames, int parkedDepth, Optional<SourceIndex> source,
                               Progress progress, Acquirer acquirer, Timings timings) {
        AcquiredInput in = acquirer.acquire(o.core);
        progress.done();
        String coreName = o.core.toString();
        // The core is opened once: its build ids pick the binary, then the target takes it over.
        ElfFile core = CoreTarget.openCore(in.core(), coreName);
        Binary binary;
        try {
            binary = resolveBinary(o, in, CoreBuildIds.read(core), acquirer, progress);
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
        timings.lap("input");
        try (CoreTarget target = CoreTarget.open(core, binary.file(), o.force, coreName, binary.name(),
                o.debug.locator(Acquirer.defaultCacheDir(), progress::note))) {
            timings.lap("ELF checks and gdb start");
            GoRuntime rt;
            Snapshot s;
            try {
                rt = GoRuntime.of(target);
                timings.lap("runtime layouts (gdb)");
                s = new SnapshotReader(maxFrames, source.isPresent() ? -1 : parkedDepth).read(rt, target.warnings());
                timings.lap("goroutines, panic, channel");
            } catch (ChanscopeException e) {
                // With memory missing, the likeliest reason the runtime cannot be read is the cut.
                if (e.exitCode() == ExitCode.BAD_INPUT && target.truncation().isPresent()) {
                    CoreTarget.Truncation t = target.truncation().get();
                    throw new ChanscopeException(ExitCode.BAD_INPUT, coreName + " is truncated at " + t.present()
                            + " of " + t.expected() + " bytes: " + e.getMessage(), e);
                }
                throw forced(target, binary, e);
            } catch (RuntimeException e) {
                throw forced(target, binary, e);
            }
            Optional<Diagnosis> d = Optional.empty();
            if (source.isPresent()) {
                try {
                    d = Optional.of(DiagnosisRunner.run(rt, target.executableFile(), s, source.get()));
                } catch (RuntimeException e) {
                    // The snapshot is still worth printing; say why there is no verdict.
                    List<String> w = new ArrayList<>(s.warnings());
                    w.add("diagnosis failed: " + (e instanceof ChanscopeException ? e.getMessage() : e.toString()));
                    s = s.withWarnings(w);
                }
            }
            if (source.isPresent()) {
                timings.lap("diagnosis");
            }
            return new Result(s, new JsonReport.Input(coreName, binary.shown(), in.layers()), d, progress.notes(), timings);
        }
    }

    /**
     * A wrong binary read with --force yields garbage layouts and addresses; whatever fails then
     * is the mismatch showing, not a bug: say so, with the mismatch's exit code.
     */
    private static RuntimeException forced(CoreTarget target, Binary binary, RuntimeException e) {
        if (target.warnings().stream().noneMatch(w -> w.startsWith("--force:"))
                || (e instanceof ChanscopeException ce && ce.exitCode() == ExitCode.GDB)) {
            return e;
        }
        return new ChanscopeException(ExitCode.BINARY_MISMATCH, "analysis with --force failed, as binary " + binary.name()
                + " is another build than the core's: " + (e instanceof ChanscopeException ? e.getMessage() : e.toString()), e);
    }

    /**
     * In order: --binary; the bundle's binary (passed over, when --binary-search is given, if
     * its build id is another's); a --binary-search match; the path the core records, when its
     * build id matches. Else one line saying what was tried.
     */
    private static Binary resolveBinary(TargetOptions o, AcquiredInput in, CoreBuildIds coreIds, Acquirer acquirer,
                                        Progress progress) {
        if (o.binary != null) {
            Acquirer.checkInputFile(o.binary, "binary"); // says what is wrong: missing, a directory, a FIFO...
            Path plain = acquirer.acquire(o.binary).core(); // a compressed binary is unwrapped like a core
            return new Binary(plain, o.binary.toString(), o.binary.toString());
        }
        List<String> tried = new ArrayList<>();
        boolean rejected = false;
        Optional<Binary> bundled = in.binary().map(b -> new Binary(b, "from " + o.core, "(from the bundle)"));
        if (in.binaries().size() > 1 && !coreIds.ids().isEmpty()) {
            // A bundle with several programs: the one whose build id is the core's, whatever its position.
            for (AcquiredInput.Candidate c : in.binaries()) {
                Optional<BuildMatch> m = match(coreIds, c.file());
                if (m.isPresent() && m.get().verdict() == BuildMatch.Verdict.MATCH) {
                    if (!c.file().equals(in.binary().orElse(null))) {
                        progress.note("executable: '" + c.member() + "' from the bundle, chosen by build id ("
                                + coreIds.ids().describe() + "); the likelier-looking '" + in.binaries().get(0).member()
                                + "' is another build");
                    }
                    bundled = Optional.of(new Binary(c.file(), "from " + o.core, "(from the bundle)"));
                    break;
                }
                progress.note("bundle member '" + c.member() + "' is a program of another build; passed over");
            }
        }
        if (bundled.isPresent()) {
            Optional<BuildMatch> m = match(coreIds, bundled.get().file());
            if (o.binarySearch.isEmpty() || m.isEmpty() || m.get().verdict() != BuildMatch.Verdict.MISMATCH) {
                return bundled.get();
            }
            tried.add("the bundle's binary is another build (" + m.get().binarySide() + ")");
            rejected = true;
        }
        if (!o.binarySearch.isEmpty()) {
            if (coreIds.ids().isEmpty()) {
                tried.add("--binary-search cannot match: the core holds no build id");
            } else {
                BinaryIndex index = o.binaryIndex != null ? o.binaryIndex : new BinaryIndex(o.binarySearch);
                BuildSearch.Result r = index.get().find(coreIds.ids(), BinaryIndex.unwrapper(acquirer));
                if (r.match().isPresent()) {
                    BuildSearch.Found f = r.match().get();
                    progress.note("using " + f.origin() + ", found by --binary-search (" + coreIds.ids().describe() + ")");
                    return new Binary(f.file(), f.origin().toString(), f.origin().toString());
                }
                tried.add("--binary-search " + r.summary(o.binarySearch) + ", none with the core's build id");
            }
        }
        Optional<String> recorded = coreIds.executable();
        if (recorded.isEmpty()) {
            tried.add("the core records no executable path");
        } else {
            Path p = Path.of(recorded.get());
            if (!Files.isRegularFile(p)) {
                tried.add("the core names " + p + ", which is not here");
            } else {
                Optional<BuildMatch> m = match(coreIds, p);
                if (m.isPresent() && m.get().verdict() != BuildMatch.Verdict.MISMATCH) {
                    // MATCH, or UNKNOWN (the core has no id): CoreTarget's page compare decides
                    return new Binary(p, p.toString(), p.toString());
                }
                tried.add("the core names " + p + ", which is " + m.map(x -> "another build (" + x.binarySide() + ")")
                        .orElse("not an ELF executable"));
                rejected = true;
            }
        }
        if (bundled.isPresent()) {
            return bundled.get(); // nothing better: CoreTarget reports the mismatch (or --force uses it)
        }
        boolean searched = !o.binarySearch.isEmpty();
        throw new ChanscopeException(rejected || searched ? ExitCode.BINARY_MISMATCH : ExitCode.USAGE,
                "no binary for core " + o.core + " (" + coreIds.ids().describe() + "): " + String.join("; ", tried)
                + "; pass the binary that crashed with --binary" + (searched ? "" : " or --binary-search DIR"));
    }

    /** The build-id verdict for a candidate, empty when it is not a readable ELF executable. */
    private static Optional<BuildMatch> match(CoreBuildIds core, Path candidate) {
        try (ElfFile f = ElfFile.open(candidate)) {
            if (f.type() != ElfFile.ET_EXEC && f.type() != ElfFile.ET_DYN) {
                return Optional.empty();
            }
            return Optional.of(BuildMatch.compare(core.ids(), BuildIds.of(f)));
        } catch (ChanscopeException e) {
            return Optional.empty();
        }
    }
}
