package dev.chanscope.cli;

import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import dev.chanscope.report.JsonReport;
import dev.chanscope.report.MarkdownReport;
import dev.chanscope.report.TextReport;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain a Go channel-close panic from a core dump and its binary.",
            "Prints which race shape it was (the verdict), who closed the channel and who",
            "still sent, the evidence and the fix; then the panic, the channel and the",
            "goroutines.",
            "",
            "Examples:",
            "  chanscope analyze ./server core          (either order, as for gdb and dlv)",
            "  chanscope analyze --binary ./server core",
            "  chanscope analyze --binary ./server --source-root ~/src/server core.zst",
            "  chanscope analyze --format markdown --binary ./server core > incident.md",
            "  chanscope analyze incident-42.tar.zst     (a bundle holding core and binary)"})
final class AnalyzeCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Mixin
    DiagnoseOptions diagnose;

    @Mixin
    ReportFormatOptions output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ReportFormatOptions.Format f = output.chosen(spec);
        Session.Result r = Session.read(target, 1024, spec.commandLine().getErr(), Optional.of(diagnose.sourceIndex()));
        var out = spec.commandLine().getOut();
        switch (f) {
            case json -> {
                new JsonReport().print(SafePrintWriter.exact(out), r.snapshot(), r.input(),
                        JsonReport.Options.full().withDiagnosis(r.diagnosis()).withNotes(r.notes()));
            }
            case markdown -> out.print(new MarkdownReport(diagnose.sourceIndex(), diagnose.verbose).render(r.snapshot(), r.input(),
                    r.diagnosis()) + InputNotes.text(r.notes(), true));
            case text -> out.print(new TextReport().analyze(r.snapshot(), r.input(), r.diagnosis(),
                    diagnose.sourceIndex(), diagnose.verbose) + InputNotes.text(r.notes(), false));
        }
        out.flush();
        r.reported(target, spec.commandLine().getErr());
        return r.warnings().isEmpty() ? ExitCode.OK.code() : ExitCode.PARTIAL.code();
    }
}
