package dev.chanscope.cli;

import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.report.JsonReport;
import dev.chanscope.report.TextReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "goroutines", mixinStandardHelpOptions = true,
        description = {"List every goroutine of a Go core dump with its state, creator and stack,",
            "like the runtime's GOTRACEBACK=crash output (which a core does not keep).",
            "",
            "Example: chanscope goroutines --binary ./server core -t 10"})
final class GoroutinesCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Option(names = {"-t", "--depth"}, paramLabel = "DEPTH", defaultValue = "-1",
            description = "Show at most DEPTH frames per goroutine (default: all).")
    int depth;

    @Option(names = "--json", description = "Print JSON (same schema as analyze --json).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Session.Result r = Session.read(target, 1024, spec.commandLine().getErr());
        var out = spec.commandLine().getOut();
        if (json) {
            JsonReport jr = new JsonReport();
            SafePrintWriter.exact(out).println(jr.toJson(InputNotes.addTo(jr.build(r.snapshot(), r.input(), true, depth), r.notes())));
        } else {
            out.print(new TextReport().goroutines(r.snapshot(), r.input(), depth));
        }
        out.flush();
        return r.snapshot().warnings().isEmpty() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }
}
