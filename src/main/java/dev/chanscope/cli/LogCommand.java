package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.acquire.Acquirer;
import dev.chanscope.log.LogAnalysis;
import dev.chanscope.log.LogAnalyzer;
import dev.chanscope.log.LogReport;
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
        description = {"Explain a Go channel-close panic from the crash log alone: the traceback the runtime printed,",
            "found in any log (timestamps, pod names, JSON records; the last crash first). With the binary,",
            "the same diagnosis as analyze, limited to what a log can show (docs/log.md).",
            "",
            "Examples:",
            "  kubectl logs --previous --timestamps pod/web-7d9f > crash.log",
            "  chanscope log --binary ./server crash.log",
            "  journalctl -u server -o cat | chanscope log --binary ./server -",
            "  chanscope log --source-root ~/src/server crash.log        (no binary: candidates only)"})
final class LogCommand implements Callable<Integer> {
    enum Format { text, markdown, json }

    /** A log is read up to this size; of a bigger one the end, where the last crash is. */
    static final long MAX_LOG_BYTES = 256L << 20;

    @Parameters(index = "0", paramLabel = "FILE", description = "The log (plain or compressed), or - for standard input.")
    String file;

    @Option(names = {"-b", "--binary"}, paramLabel = "BIN",
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

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), markdown or json (the analyze schema with input.kind \"log\").")
    Format format;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Progress progress = new Progress(spec.commandLine().getErr());
        try (Acquirer acquirer = new Acquirer(Acquirer.defaultCacheDir(), TargetOptions.ByteSize.parse(
                TargetOptions.DEFAULT_MAX_CORE_SIZE), progress, true, Acquirer.cacheLimit(TargetOptions.ByteSize::parse))) {
            String text;
            String name;
            if (file.equals("-")) {
                text = read(System.in);
                name = "(standard input)";
            } else {
                Path p = Path.of(file);
                Acquirer.checkInputFile(p, "log");
                text = read(acquirer.acquire(p).core());
                name = file;
            }
            Optional<Path> bin = Optional.empty();
            if (binary != null) {
                Acquirer.checkInputFile(binary, "binary");
                bin = Optional.of(acquirer.acquire(binary).core());
            }
            progress.done();
            LogAnalysis a = LogAnalyzer.analyze(text, name, bin, binary == null ? "" : binary.toString(),
                    diagnose.sourceIndex(), crash, force);
            print(a);
            return a.model().snapshot().warnings().isEmpty() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
        }
    }

    private void print(LogAnalysis a) {
        var out = spec.commandLine().getOut();
        LogReport r = new LogReport(diagnose.sourceIndex(), diagnose.verbose);
        switch (json ? Format.json : format) {
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
