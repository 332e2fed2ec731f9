package dev.chanscope.cli;

import dev.chanscope.ExitCode;
import dev.chanscope.report.JsonReport;
import dev.chanscope.report.TextReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Report the panic, the channel it was about, and the goroutines of a Go core dump.",
            "",
            "Examples:",
            "  chanscope analyze --binary ./server core",
            "  chanscope analyze core.server.1000.abc.4242.1700000000.zst --binary ./server --json",
            "  chanscope analyze incident-42.tar.zst        (a bundle holding core and binary)"})
final class AnalyzeCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Option(names = "--json", description = "Print the JSON report (schema: docs/json-schema.md).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Session.Result r = Session.read(target, 1024, spec.commandLine().getErr());
        var out = spec.commandLine().getOut();
        if (json) {
            JsonReport jr = new JsonReport();
            out.println(jr.toJson(jr.build(r.snapshot(), r.input(), true, -1)));
        } else {
            out.print(new TextReport().analyze(r.snapshot(), r.input()));
        }
        out.flush();
        return r.snapshot().warnings().isEmpty() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }
}
