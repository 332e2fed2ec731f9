package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.batch.CoreOutcome;
import dev.chanscope.batch.JsonLinesFile;
import dev.chanscope.batch.JsonLinesWriter;
import dev.chanscope.batch.Summary;
import dev.chanscope.batch.SummaryReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Join the outputs of several batch runs into one summary.",
            "",
            "Reads the JSON Lines of chanscope batch runs (shards, or runs on other",
            "machines). A core in several outputs counts once, by its sha256: its last",
            "line counts, except that a timeout never replaces a result.",
            "",
            "Examples:",
            "  chanscope merge shard-*.jsonl",
            "  chanscope merge --format markdown -o all.jsonl shard-*.jsonl > summary.md",
            "Details: docs/batch.md"},
        footer = {"", "Exit codes: 0 every core ok, 1 some core partial, error or timeout,",
            "2 usage, 3 an input unreadable or not a batch output, or the output",
            "unwritable."})
final class MergeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "JSONL", description = "Outputs of chanscope batch.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Also write the merged lines (one per core) to FILE.")
    Path output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "The summary as text (default), markdown or json.")
    Format format;

    enum Format { text, markdown, json }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (Path in : inputs) {
            PathCheck.file(in, "");
            if (output != null && Files.exists(output) && sameFile(in, output)) {
                throw new ChanscopeException(ExitCode.USAGE, "--output " + output + " is one of the inputs");
            }
        }
        Map<String, JsonLinesFile.Line> latest = JsonLinesFile.latest(inputs);
        if (output != null) {
            writeMerged(latest);
        }
        List<CoreOutcome> outcomes = latest.values().stream().map(JsonLinesFile.Line::outcome).toList();
        Summary summary = Summary.of(outcomes);
        var out = spec.commandLine().getOut();
        SummaryReport.Format f = SummaryReport.Format.valueOf(format.name().toUpperCase(java.util.Locale.ROOT));
        (f == SummaryReport.Format.JSON ? SafePrintWriter.exact(out) : out).print(SummaryReport.render(summary, f));
        out.flush();
        return summary.allOk() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }

    /** The chosen lines, input by input in line order, through a temporary file renamed into place. */
    private void writeMerged(Map<String, JsonLinesFile.Line> latest) {
        Map<Path, Set<Long>> chosen = new LinkedHashMap<>();
        for (Path in : inputs) {
            chosen.putIfAbsent(in, new HashSet<>());
        }
        latest.values().forEach(l -> chosen.get(l.file()).add(l.number()));
        try {
            dev.chanscope.fs.SafeFiles.checkDestination(output, "-o");
            try (dev.chanscope.fs.SafeFiles.Temp tmp = dev.chanscope.fs.SafeFiles.createTempSibling(output)) {
                JsonLinesWriter w = new JsonLinesWriter(JsonLinesWriter.sink(tmp.channel()));
                try {
                    chosen.forEach((file, numbers) -> JsonLinesFile.copyLines(file, numbers, w));
                } finally {
                    w.close();
                }
                if (w.failure().isPresent()) {
                    throw w.failure().get();
                }
                tmp.commit(output);
            }
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot write " + output + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
