package dev.chanscope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.SafeText;
import dev.chanscope.batch.BatchLine;
import dev.chanscope.batch.BatchListener;
import dev.chanscope.batch.BatchProgress;
import dev.chanscope.batch.BatchRunner;
import dev.chanscope.ByteStreamWriter;
import dev.chanscope.batch.CoreAnalyzer;
import dev.chanscope.batch.CoreReport;
import dev.chanscope.batch.CoreOutcome;
import dev.chanscope.batch.Corpus;
import dev.chanscope.batch.Durations;
import dev.chanscope.batch.JsonLinesFile;
import dev.chanscope.batch.JsonLinesWriter;
import dev.chanscope.batch.Shard;
import dev.chanscope.batch.Status;
import dev.chanscope.batch.Summary;
import dev.chanscope.batch.SummaryReport;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.report.JsonReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Analyze many cores and group them by root cause.",
            "",
            "Prints one JSON line per core (the analyze --json report plus status, error,",
            "exitCode, elapsedMs and input.sha256), then on stderr a summary: cores per",
            "(pattern, closing site, sending site), then the cores that failed. PATHs are",
            "cores, directories (searched recursively; cores are recognised by content)",
            "or globs. With --binary, a text file holding a Go traceback is analyzed as",
            "'chanscope log' would (docs/log.md).",
            "",
            "Examples:",
            "  chanscope batch --binary-search /releases -o results.jsonl /var/crash",
            "  chanscope batch --resume -o results.jsonl -j 4 '/var/crash/**/core*.zst'",
            "  chanscope batch --shard 3/8 -o shard-3.jsonl /mnt/cores",
            "  chanscope merge shard-*.jsonl        (the 8 shards' summary)",
            "Details: docs/batch.md"},
        footer = {"", "Exit codes: 0 every core ok, 1 some core partial, error or timeout,",
            "2 usage, 3 a PATH missing, no cores found or the output unwritable,",
            "5 gdb missing or too old, 70 internal error."})
final class BatchCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Cores (plain, compressed or bundled), directories holding them, or globs (* ? ** [..] {..}).")
    List<String> paths = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Append the JSON lines to FILE (default: standard output). An existing non-empty FILE needs --resume.")
    Path output;

    @Option(names = "--resume", description = "Skip cores whose content (sha256) already has an ok, partial or error "
            + "line in --output; timed-out cores are analyzed again.")
    boolean resume;

    @Option(names = "--retry-errors", description = "With --resume, also analyze again cores recorded as error.")
    boolean retryErrors;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Cores analyzed at once, each with its own gdb (default: the number of processors, ${DEFAULT-VALUE}).")
    int jobs = Runtime.getRuntime().availableProcessors();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Per core, e.g. 90s, 5m, 1h (default ${DEFAULT-VALUE}). A core past it is recorded as timeout and its gdb stopped.")
    Duration timeout;

    @Option(names = "--shard", paramLabel = "K/N", converter = ShardConverter.class,
            description = "Analyze only shard K of N (1-based), split by each file's path relative to its PATH, "
                    + "so N machines given the same PATHs share the corpus. Join the outputs with chanscope merge.")
    Shard shard = Shard.ALL;

    @Option(names = "--summary", paramLabel = "FILE",
            description = "Also write the summary to FILE: JSON for .json, Markdown for .md, text otherwise.")
    Path summaryFile;

    @Option(names = "--progress", description = "Print progress lines on stderr even when it is not a terminal "
            + "(on a terminal a progress bar with the ETA is always drawn).")
    boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on stderr but errors (no progress, no summary).")
    boolean quiet;

    @Option(names = "--no-goroutines", description = "Leave the goroutines out of each line (a much smaller output).")
    boolean noGoroutines;

    @Option(names = {"-b", "--binary", "--exe"}, paramLabel = "BIN",
            description = "The executable of every core (plain or compressed). Default, per core: the binary inside "
                    + "its bundle, else a match from --binary-search, else the path the core records when its build id matches.")
    Path binary;

    @Option(names = "--binary-search", paramLabel = "DIR",
            description = "Look under DIR (repeatable) for each core's executable by build id.")
    List<Path> binarySearch = new ArrayList<>();

    @Option(names = "--force", description = "Analyze even when a binary's build id does not match its core's.")
    boolean force;

    @Option(names = "--max-core-size", paramLabel = "SIZE", defaultValue = TargetOptions.DEFAULT_MAX_CORE_SIZE,
            converter = TargetOptions.ByteSize.class,
            description = "Refuse to decompress an input beyond SIZE bytes (default ${DEFAULT-VALUE}).")
    long maxCoreSize;

    @Option(names = "--no-cache", description = "Unpack each compressed or bundled core into a private temporary "
            + "directory deleted once the core is analyzed, instead of the cache.")
    boolean noCache;

    @Mixin
    DiagnoseOptions diagnose;

    @Spec
    CommandSpec spec;

    /** Paths that already have a skipped line in --output (with --resume). */
    private final java.util.Set<String> skippedBefore = new java.util.HashSet<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (jobs < 1) {
            throw usage("--jobs must be at least 1");
        }
        if (resume && output == null) {
            throw usage("--resume needs --output FILE: it skips the cores FILE already has");
        }
        if (retryErrors && !resume) {
            throw usage("--retry-errors goes with --resume");
        }
        // Options that name paths are checked once here, not found wrong once per core.
        if (binary != null) {
            PathCheck.file(binary, "--binary");
        }
        binarySearch.forEach(d -> PathCheck.directory(d, "--binary-search"));
        diagnose.sourceIndex();
        Map<String, CoreOutcome> done = resume ? priorLines(err) : Map.of();
        if (!resume && output != null && nonEmpty(output)) {
            throw usage(output + " already holds results; pass --resume to continue it, or choose another --output");
        }
        Corpus corpus = Corpus.scan(paths, shard, binary != null);
        if (corpus.files() == 0) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "no files under " + String.join(", ", paths));
        }
        if (corpus.cores().isEmpty() && shard.count() == 1) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "no cores under " + String.join(", ", paths) + " ("
                    + corpus.looked() + ")");
        }
        GdbSession.start().close(); // gdb missing or too old: say so once, not once per core
        if (!quiet) {
            err.println("chanscope: " + corpus.describe() + (shard.count() > 1 ? ", shard " + shard : "") + "; "
                    + jobs + (jobs == 1 ? " job" : " jobs") + ", timeout " + Durations.describe(timeout) + " per core");
            err.flush();
        }
        BatchRunner.Result result;
        JsonLinesWriter writer = new JsonLinesWriter(sink());
        // Every file gets a line: the ones that are not cores say so, and why (once: a resumed
        // run does not repeat a line FILE already has).
        for (Corpus.Skipped sk : corpus.skipped()) {
            if (!skippedBefore.contains(sk.file().path().toString())) {
                writer.write(BatchLine.skipped(sk.file().path().toString(), sk.reason()).bytes());
            }
        }
        try {
            result = new BatchRunner(analyzer(), new BatchRunner.Settings(jobs, timeout), writer, listener(err))
                    .run(corpus.cores(), done);
        } finally {
            writer.close();
        }
        if (writer.failure().isPresent()) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot write " + (output == null ? "standard output" : output)
                    + ": " + writer.failure().get().getMessage() + (result.stopped() ? " (the batch stopped)" : ""));
        }
        Summary summary = Summary.of(result.outcomes());
        if (summaryFile != null) {
            SummaryReport.Format f = SummaryReport.Format.forFile(summaryFile);
            String text = SummaryReport.render(summary, f);
            write(summaryFile, f == SummaryReport.Format.JSON ? text : SafeText.escape(text));
        }
        if (!quiet) {
            if (result.resumed() > 0 || result.duplicates() > 0) {
                err.println("chanscope: analyzed " + result.analyzed()
                        + (result.resumed() > 0 ? ", " + result.resumed() + " already in " + output : "")
                        + (result.duplicates() > 0 ? ", " + result.duplicates() + " skipped as copies of another input" : ""));
            }
            err.println();
            err.print(SummaryReport.render(summary, SummaryReport.Format.TEXT));
            err.flush();
        }
        return summary.allOk() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }

    /**
     * Each core with its own Session (its own acquirer, gdb, source index): nothing mutable is shared;
     * the --binary-search index is built once, then only read.
     */
    private CoreAnalyzer analyzer() {
        PrintWriter silent = new PrintWriter(Writer.nullWriter()); // per-core notes would tear the progress bar
        BinaryIndex index = new BinaryIndex(binarySearch); // walked and read once, on the first core that needs it
        return core -> {
            if (dev.chanscope.batch.LogFiles.isLog(core)) {
                // A crash log beside the cores: chanscope log (with --binary), the analyze schema with input.kind "log".
                dev.chanscope.log.LogAnalysis a = LogCommand.analyzeFile(core, binary, diagnose.sourceIndex(), 1, force,
                        !noCache, dev.chanscope.acquire.ProgressListener.NONE);
                ObjectNode root = new dev.chanscope.log.LogReport(diagnose.sourceIndex(), false).json(new JsonReport(), a);
                if (noGoroutines) {
                    root.remove("goroutines");
                }
                return CoreReport.of(root);
            }
            TargetOptions o = new TargetOptions();
            o.core = core;
            o.binary = binary;
            o.binarySearch = binarySearch;
            o.binaryIndex = index;
            o.force = force;
            o.maxCoreSize = maxCoreSize;
            o.noCache = noCache;
            Session.Result r = Session.read(o, 1024, silent, Optional.of(diagnose.sourceIndex()));
            // The goroutine list is written into the line as it is made, never held as a tree.
            JsonReport report = new JsonReport();
            JsonReport.Options all = JsonReport.Options.full().withDiagnosis(r.diagnosis()).withNotes(r.notes());
            ObjectNode head = report.build(r.snapshot(), r.input(), all.withGoroutines(false, -1));
            return new CoreReport(head, noGoroutines ? Optional.empty()
                    : Optional.of(g -> report.goroutineList(g, r.snapshot(), all)));
        };
    }

    private Map<String, CoreOutcome> priorLines(PrintWriter err) {
        if (!Files.exists(output)) {
            return Map.of();
        }
        try {
            long cut = JsonLinesFile.repairTail(output);
            if (cut > 0 && !quiet) {
                err.println("chanscope: removed a cut-off last line (" + cut + " bytes) from " + output);
            }
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot repair " + output + ": " + e.getMessage());
        }
        Map<String, CoreOutcome> done = new HashMap<>();
        JsonLinesFile.latest(List.of(output)).forEach((key, line) -> {
            Status s = line.outcome().status();
            if (s == Status.SKIPPED) {
                skippedBefore.add(line.outcome().core());
                return;
            }
            if (line.outcome().sha256().isPresent() && s != Status.TIMEOUT && !(retryErrors && s == Status.ERROR)) {
                done.put(key, line.outcome());
            }
        });
        return done;
    }

    private JsonLinesWriter.Sink sink() {
        if (output != null) {
            try {
                return JsonLinesWriter.append(output);
            } catch (IOException e) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot write " + output + ": " + e.getMessage());
            }
        }
        PrintWriter out = SafePrintWriter.exact(spec.commandLine().getOut()); // JSON lines stay exact
        if (out instanceof ByteStreamWriter b) { // the line's UTF-8 bytes as they are, no re-encoding
            out.flush();
            return line -> {
                b.bytes().write(line.array(), line.arrayOffset() + line.position(), line.remaining());
                b.bytes().flush();
                if (b.bytes() instanceof java.io.PrintStream ps && ps.checkError()) {
                    throw new IOException("standard output is closed");
                }
            };
        }
        return line -> {
            out.print(StandardCharsets.UTF_8.decode(line));
            out.flush();
            if (out.checkError()) {
                throw new IOException("standard output is closed");
            }
        };
    }

    private BatchListener listener(PrintWriter err) {
        if (quiet) {
            return BatchListener.NONE;
        }
        boolean tty = Terminal.stderrIsTerminal();
        return tty || progress ? new BatchProgress(err, tty, Duration.ofSeconds(10)) : BatchListener.NONE;
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void write(Path file, String text) {
        try {
            dev.chanscope.fs.SafeFiles.writeString(file, text);
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot write " + file + ": " + e.getMessage());
        }
    }

    private static ChanscopeException usage(String message) {
        return new ChanscopeException(ExitCode.USAGE, message);
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ShardConverter implements ITypeConverter<Shard> {
        @Override
        public Shard convert(String value) {
            try {
                return Shard.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Whether stderr is a terminal; Java's System.console() asks about stdin and stdout instead. */
    static final class Terminal {
        private Terminal() {
        }

        static boolean stderrIsTerminal() {
            if ("dumb".equals(System.getenv("TERM"))) {
                return false;
            }
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }
    }
}
