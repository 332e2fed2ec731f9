package dev.chanscope.cli;

import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.report.GoroutineFilter;
import dev.chanscope.report.JsonReport;
import dev.chanscope.report.TextReport;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "goroutines", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List every goroutine of a Go core dump: its state, creator and stack, like",
            "the runtime's GOTRACEBACK=crash output (which a core does not keep).",
            "",
            "Examples:",
            "  chanscope goroutines --binary ./server core -t 10",
            "  chanscope goroutines --group --binary ./server core",
            "      (each distinct stack once, with a count)",
            "  chanscope goroutines --state waiting --function 'Pool\\).Wait' ./server core"})
final class GoroutinesCommand implements Callable<Integer> {
    enum Format { text, json }

    @Mixin
    TargetOptions target;

    @Option(names = {"-t", "--depth"}, paramLabel = "DEPTH", defaultValue = "-1",
            description = {"Show at most DEPTH frames per goroutine (default: all). Parked goroutines are then unwound",
                "no further (unless --group or --function need their whole stacks)."})
    int depth;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json (the schema of analyze --json, docs/json-schema.md).")
    Format format;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Option(names = "--group", description = "Goroutines with identical stacks (same state, frames and creator) once,"
            + " with their count and ids; largest group first.")
    boolean group;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only goroutines in this state: a status (waiting, runnable, running, syscall) or a wait reason.")
    String state;

    @Option(names = "--wait-reason", paramLabel = "TEXT",
            description = "Only goroutines whose wait reason contains TEXT (\"chan receive\", select).")
    String waitReason;

    @Option(names = "--function", paramLabel = "PATTERN",
            description = "Only goroutines with a frame whose function contains PATTERN or matches it as a regular expression.")
    String function;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (depth < -1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-t must be 0 or more");
        }
        Format chosen = OutputFormat.choose(spec, json, format, Format.json);
        // -t alone: parked goroutines need no frame past the ones printed, so none is unwound;
        // --group and --function read whole stacks.
        int parkedDepth = depth >= 0 && !group && function == null ? depth : -1;
        Session.Result r = Session.read(target, 1024, parkedDepth, spec.commandLine().getErr());
        var out = spec.commandLine().getOut();
        GoroutineFilter filter = GoroutineFilter.of(Optional.ofNullable(state), Optional.ofNullable(waitReason),
                Optional.ofNullable(function));
        if (chosen == Format.json) {
            new JsonReport().print(SafePrintWriter.exact(out), r.snapshot(), r.input(), JsonReport.Options.full()
                    .withGoroutines(true, depth).withNotes(r.notes()).listing(filter, group));
        } else {
            new TextReport().goroutines(out, r.snapshot(), r.input(), depth, filter, group);
        }
        out.flush();
        r.reported(target, spec.commandLine().getErr());
        return r.snapshot().warnings().isEmpty() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }
}
