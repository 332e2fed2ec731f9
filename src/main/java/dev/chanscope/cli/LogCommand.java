package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.acquire.Acquirer;
import dev.chanscope.log.LogAnalysis;
import dev.chanscope.log.LogAnalyzer;
import dev.chanscope.log.LogReport;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.report.JsonReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "log", mixinStandardHelpOptions = true, sortOptions = false,
        // Lines of 79 columns at most (CliConventionsTest).
        description = {"Explain a Go channel-close panic from the crash log alone: the traceback the",
            "runtime printed, found in any log (timestamps, pod names, JSON records; the",
            "last crash first). With the binary, the same diagnosis as analyze, limited to",
            "what a log can show (docs/log.md).",
            "",
            "Examples:",
            "  kubectl logs --previous --timestamps pod/web-7d9f > crash.log",
            "  chanscope log --binary ./server crash.log",
            "  journalctl -u server -o cat | chanscope log --binary ./server -",
            "  chanscope log --source-root ~/src/server crash.log   (no binary: candidates)"})
final class LogCommand implements Callable<Integer> {
    /** A log is read up to this size; of a bigger one the end, where the last crash is. */
    static final long MAX_LOG_BYTES = 256L << 20;

    @Parameters(index = "0", paramLabel = "FILE", description = "The log (plain or compressed), or - for standard input.")
    String file;

    @Option(names = {"-b", "--binary", "--exe"}, paramLabel = "BIN",
            description = "The executable that crashed (plain or compressed). Without it: the panic, the goroutines"
                    + " and, with --source-root, candidates; no verdict.")
    Path binary;

    @Option(names = "--crash", paramLabel = "N", defaultValue = "1",
            description = "Which crash of the log: 1 (default) is the last, 2 the one before, ...")
    int crash;

    @Option(names = "--force", description = "Diagnose even when the binary does not fit the log's frames"
            + " (the report says so and may be wrong).")
    boolean force;

    @Mixin
    DiagnoseOptions diagnose;

    @Mixin
    ReportFormatOptions output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ReportFormatOptions.Format chosen = output.chosen(spec);
        if (binary != null) {
            PathCheck.file(binary, "--binary");
        }
        if (!file.equals("-") && (!Files.exists(Path.of(file)) || Files.isDirectory(Path.of(file)))) {
            PathCheck.file(Path.of(file), "FILE"); // a pipe (<(kubectl logs ...)) is a fine log
        }
        Progress progress = new Progress(spec.commandLine().getErr());
        LogAnalysis a;
        if (file.equals("-")) {
            try (Acquirer acquirer = acquirer(progress, true)) {
                Optional<Path> bin = binary(acquirer, binary);
                progress.done();
                a = LogAnalyzer.analyze(read(System.in), "(standard input)", bin, binary == null ? "" : binary.toString(),
                        diagnose.sourceIndex(), crash, force);
            }
        } else {
            a = analyzeFile(Path.of(file), binary, diagnose.sourceIndex(), crash, force, true, progress);
        }
        print(a, chosen);
        return a.model().snapshot().warnings().isEmpty() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }

    /**
     * A log file (plain or compressed) and maybe its binary through {@link LogAnalyzer}; batch
     * calls this for the crash logs among its cores.
     *
     * @param keep keep unpacked inputs in the cache (false: a private directory deleted at the end)
     */
    static LogAnalysis analyzeFile(Path log, Path binary, SourceIndex source, int crash, boolean force, boolean keep,
                                   dev.chanscope.acquire.ProgressListener progress) {
        try (Acquirer acquirer = acquirer(progress, keep)) {
            Acquirer.checkInputFile(log, "log");
            String text = read(acquirer.acquire(log).core());
            Optional<Path> bin = binary(acquirer, binary);
            if (progress instanceof Progress p) {
                p.done();
            }
            return LogAnalyzer.analyze(text, log.toString(), bin, binary == null ? "" : binary.toString(), source, crash,
                    force);
        }
    }

    private static Acquirer acquirer(dev.chanscope.acquire.ProgressListener progress, boolean keep) {
        return new Acquirer(Acquirer.defaultCacheDir(), TargetOptions.ByteSize.parse(TargetOptions.DEFAULT_MAX_CORE_SIZE),
                progress, keep, Acquirer.cacheLimit(TargetOptions.ByteSize::parse));
    }

    private static Optional<Path> binary(Acquirer acquirer, Path binary) {
        if (binary == null) {
            return Optional.empty();
        }
        Acquirer.checkInputFile(binary, "binary");
        return Optional.of(acquirer.acquire(binary).core());
    }

    private void print(LogAnalysis a, ReportFormatOptions.Format chosen) {
        var out = spec.commandLine().getOut();
        LogReport r = new LogReport(diagnose.sourceIndex(), diagnose.verbose);
        switch (chosen) {
            case json -> {
                JsonReport jr = new JsonReport();
                SafePrintWriter.exact(out).println(jr.toJson(r.json(jr, a)));
            }
            case markdown -> out.print(r.markdown(a));
            case text -> out.print(r.text(a));
        }
        out.flush();
    }

    private static String read(Path p) {
        try {
            long size = Files.size(p);
            if (size <= MAX_LOG_BYTES) {
                return Files.readString(p, StandardCharsets.UTF_8);
            }
            try (var ch = Files.newByteChannel(p)) {
                ch.position(size - MAX_LOG_BYTES);
                return read(java.nio.channels.Channels.newInputStream(ch));
            }
        } catch (java.nio.charset.MalformedInputException e) {
            try {
                return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            } catch (IOException e2) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot read " + p + ": " + e2.getMessage(), e2);
            }
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** At most {@link #MAX_LOG_BYTES}, the last ones: the runtime's text is ASCII, other bytes are replaced. */
    private static String read(InputStream in) {
        try {
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            byte[] b = new byte[1 << 16];
            int n;
            while ((n = in.read(b)) > 0) {
                buf.write(b, 0, n);
                if (buf.size() > 2 * MAX_LOG_BYTES) {
                    byte[] all = buf.toByteArray();
                    buf.reset();
                    buf.write(all, (int) (all.length - MAX_LOG_BYTES), (int) MAX_LOG_BYTES);
                }
            }
            byte[] all = buf.toByteArray();
            int from = (int) Math.max(0, all.length - MAX_LOG_BYTES);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot read the log: " + e.getMessage(), e);
        }
    }
}
