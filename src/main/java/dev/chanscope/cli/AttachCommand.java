package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.DiagnosisRunner;
import dev.chanscope.gdb.GdbException;
import dev.chanscope.goruntime.BlockedChannels;
import dev.chanscope.goruntime.BlockedView;
import dev.chanscope.goruntime.GoLayouts;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Snapshot;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.goruntime.StackUnwinder;
import dev.chanscope.live.LiveCoreFile;
import dev.chanscope.live.LiveCoreWriter;
import dev.chanscope.live.LiveDeparture;
import dev.chanscope.live.LiveTarget;
import dev.chanscope.report.JsonReport;
import dev.chanscope.report.LiveFacts;
import dev.chanscope.report.LiveJsonReport;
import dev.chanscope.report.LiveTextReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Diagnose a live Go process, stopped or running, and leave it exactly as found.",
            "Prints the analyze report (the panic in flight, if any) and every channel",
            "goroutines are blocked on. A stopped process (state T) stays stopped; a",
            "running one is paused only while it is read. Nothing is written to the",
            "process. Details: docs/attach.md",
            "",
            "Examples:",
            "  chanscope attach 4242",
            "  chanscope attach --json --snapshot incident-42.core.zst 4242"})
final class AttachCommand implements Callable<Integer> {
    /** Holds the process after reading, for tests of the detach paths (Ctrl-C, timeout, kill). */
    static final String HOLD_ENV = "CHANSCOPE_ATTACH_HOLD_MS";

    @Parameters(index = "0", paramLabel = "PID", description = "The process to attach to.")
    int pid;

    @Mixin
    DiagnoseOptions diagnose;

    enum Format { text, json }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json (docs/json-schema.md plus the live object, docs/attach.md).")
    Format format;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Option(names = "--snapshot", paramLabel = "FILE",
            description = "Also write a core of the process to FILE, compressed when the name ends in .zst, .xz or .gz,"
                    + " for 'chanscope analyze' later.")
    Path snapshot;

    @Option(names = {"-b", "--binary", "--exe"}, paramLabel = "BIN",
            description = "Take symbols and types from BIN (an unstripped copy of the same build) instead of the"
                    + " process's own executable. A stripped process is read without it, from the built-in"
                    + " layouts of its Go release; BIN adds the program's own struct field names.")
    Path binary;

    @Option(names = "--force", description = "Use --binary even when its build id differs from the process's.")
    boolean force;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Detach and fail if reading takes longer (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean asJson = OutputFormat.choose(spec, json, format, Format.json) == Format.json;
        if (binary != null) {
            PathCheck.file(binary, "--binary");
        }
        diagnose.sourceIndex(); // a bad --source-root is said before the process is touched
        if (timeoutSeconds <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
        }
        if (pid <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "PID must be a positive process id, not " + pid);
        }
        Optional<LiveCoreFile> core = Optional.ofNullable(snapshot).map(LiveCoreFile::new);
        core.ifPresent(LiveCoreFile::checkWritable);
        LiveTarget.Options options = new LiveTarget.Options(Optional.ofNullable(binary), force,
                Duration.ofSeconds(timeoutSeconds), holdMillis());
        // The runtime's struct layouts come from DWARF, which gdb reads slowly the first time:
        // load them before the process is stopped.
        LiveTarget target = LiveTarget.attach(pid, options, types -> {
            GoLayouts.load(types);
            types.constant("runtime._Gscan");
        });
        Snapshot s;
        BlockedView view;
        Optional<Diagnosis> diagnosis = Optional.empty();
        Optional<LiveCoreWriter.Result> written = Optional.empty();
        String snapshotFailure = null;
        try {
            GoRuntime rt = GoRuntime.of(target);
            s = new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(rt, List.of());
            view = new BlockedChannels(rt).read(s.goroutines(),
                    OptionalLong.of(target.monotonicAtAttach()), true);
            if (core.isPresent()) {
                // A snapshot that cannot be written (a full disk) costs the snapshot, not the report.
                try {
                    written = Optional.of(target.writeCore(core.get().openRaw().channel(), core.get().destination()));
                } catch (IOException | UncheckedIOException e) {
                    core.get().discard();
                    snapshotFailure = oneLine(e);
                }
            }
            if (options.holdMillis() > 0) {
                holdingMarker();
                target.hold(options.holdMillis());
            }
            target.checkAttached();
            // The diagnosis mostly scans the executable (hundreds of milliseconds). A process
            // found stopped stays stopped anyway: diagnose it attached, with all its memory. A
            // running one is let go first and diagnosed on the memory read while it was held
            // (it has no panic in flight, so the diagnosis needs little of it).
            Diagnosed dg;
            if (target.stateBefore().stopped()) {
                dg = diagnose(rt, target, s);
                target.checkAttached();
                target.detach();
            } else {
                target.detach();
                dg = diagnose(rt, target, s);
            }
            s = dg.snapshot();
            diagnosis = dg.diagnosis();
            if (target.readsAfterDetachMissed() > 0) {
                s = withWarning(s, "the diagnosis ran after chanscope let the process go, on the memory read while it"
                        + " was held; " + target.readsAfterDetachMissed() + " of its reads fell outside that memory");
            }
        } catch (RuntimeException e) {
            target.close();
            core.ifPresent(LiveCoreFile::discard);
            if (target.abandonedReason().isPresent()) {
                target.checkAttached(); // throws the one-line reason
            }
            throw e;
        } finally {
            target.close();
        }
        LiveDeparture d = target.departure().orElseThrow();
        Optional<LiveFacts.SnapshotFile> snap = Optional.empty();
        if (core.isPresent() && written.isPresent()) {
            try {
                long size = core.get().finish();
                snap = Optional.of(new LiveFacts.SnapshotFile(core.get().destination().toString(),
                        core.get().format().id(), size, written.get().bytes(), written.get().nanos()));
            } catch (IOException | UncheckedIOException | ChanscopeException e) {
                // a full disk, or a link or FIFO put at the destination since the check: no snapshot
                snapshotFailure = oneLine(e);
            }
        }
        if (snapshotFailure != null) {
            String w = "--snapshot " + core.get().destination() + " was not written: " + snapshotFailure
                    + " (nothing was left behind; the report is complete otherwise)";
            s = withWarning(s, w);
            spec.commandLine().getErr().println("chanscope: " + w);
        }
        LiveFacts facts = new LiveFacts(pid, target.process().name(), target.executableShown(),
                target.process().commandLine(), d.before().describe(), d.after().describe(), d.before().stopped(),
                d.restored(), d.pausedNanos(), d.restore(), target.memoryPath(), target.selfStoppingThread(), snap);
        JsonReport.Input in = new JsonReport.Input("process " + pid, target.executableShown(), List.of());
        var out = spec.commandLine().getOut();
        if (asJson) {
            LiveJsonReport jr = new LiveJsonReport();
            SafePrintWriter.exact(out).println(new JsonReport().toJson(jr.build(s, view, facts, in, diagnosis)));
        } else {
            out.print(new LiveTextReport().render(s, view, facts, in, diagnosis, diagnose.sourceIndex(),
                    diagnose.verbose));
        }
        out.flush();
        if (!d.restored()) {
            spec.commandLine().getErr().println("chanscope: process " + pid + " was " + d.before().describe()
                    + " and is now " + d.after().describe());
            return ExitCode.PARTIAL.code();
        }
        return s.warnings().isEmpty() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }

    /** The snapshot (with a warning when the diagnosis failed) and the diagnosis. */
    private record Diagnosed(Snapshot snapshot, Optional<Diagnosis> diagnosis) {}

    /** As analyze does it (Session.read): a failed diagnosis leaves the report and a warning. */
    private Diagnosed diagnose(GoRuntime rt, LiveTarget target, Snapshot s) {
        try {
            return new Diagnosed(s, Optional.of(DiagnosisRunner.run(rt, target.executableFile(), s,
                    diagnose.sourceIndex())));
        } catch (RuntimeException e) {
            return new Diagnosed(withWarning(s, "diagnosis failed: "
                    + (e instanceof ChanscopeException ? e.getMessage() : e.toString())), Optional.empty());
        }
    }

    private static Snapshot withWarning(Snapshot s, String warning) {
        List<String> w = new ArrayList<>(s.warnings());
        w.add(warning);
        return s.withWarnings(w);
    }

    private static String oneLine(Exception e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            m = fs.getReason();
        }
        return m.replaceAll("\\s+", " ").strip();
    }

    /**
     * Tests only: creates the file {@code CHANSCOPE_ATTACH_HOLD_FILE} names when the hold starts,
     * so a detach test fires its event once chanscope has read everything, instead of after a
     * guessed delay (which a loaded machine overran).
     */
    private static void holdingMarker() {
        String f = System.getenv(HOLD_FILE_ENV);
        if (f != null && !f.isBlank()) {
            try {
                dev.chanscope.fs.SafeFiles.createNew(Path.of(f)).close();
            } catch (IOException e) {
                // the test will time out waiting and say so
            }
        }
    }

    /** Tests only: a file created when the hold begins. */
    static final String HOLD_FILE_ENV = "CHANSCOPE_ATTACH_HOLD_FILE";

    private static long holdMillis() {
        String v = System.getenv(HOLD_ENV);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new GdbException(HOLD_ENV + " must be a number of milliseconds, not " + v);
        }
    }
}
