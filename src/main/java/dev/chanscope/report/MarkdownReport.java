package dev.chanscope.report;

import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Snapshot;
import java.util.Optional;

/** The report as Markdown for an incident ticket: verdict, the race's two sides, evidence, fix, stacks. */
public final class MarkdownReport {
    private final SourceIndex source;

    private final boolean verbose;

    public MarkdownReport(SourceIndex source) {
        this(source, false);
    }

    public MarkdownReport(SourceIndex source, boolean verbose) {
        this.source = source;
        this.verbose = verbose;
    }

    public String render(Snapshot s, JsonReport.Input in, Optional<Diagnosis> d) {
        StringBuilder b = new StringBuilder();
        String title = d.map(x -> x.pattern().id() + ": " + s.panic().map(p -> p.message()).orElse(""))
                .orElse(s.panic().map(p -> p.message()).orElse("Go crash"));
        b.append("## chanscope: ").append(title).append("\n\n");
        d.ifPresent(x -> b.append(new DiagnosisText(true, source, verbose).render(x, Optional.of(s))));
        b.append("### Core\n\n");
        b.append("| | |\n|---|---|\n");
        b.append("| core | `").append(in.core()).append("` |\n");
        b.append("| binary | `").append(in.binary()).append("` |\n");
        b.append("| Go | ").append(s.goVersion()).append(" |\n");
        if (!s.layouts().equals("DWARF")) {
            b.append("| Runtime layouts | ").append(s.layouts()).append(" |\n"); // a stripped binary (docs/stripped.md)
        }
        b.append("| goroutines | ").append(s.goroutines().size()).append(" |\n");
        s.panic().ifPresent(p -> {
            b.append("| panic | `").append(p.message()).append("` in goroutine ").append(p.goroutineId())
                    .append(" (").append(p.site().id()).append(") |\n");
        });
        s.channel().ifPresent(c -> b.append("| channel | `0x").append(Long.toHexString(c.address())).append("` chan ")
                .append(c.elemType()).append(c.capacity() == 0 ? ", unbuffered" : ", buffer " + c.buffered() + "/"
                        + c.capacity()).append(c.closed() ? ", closed" : ", open").append(" |\n"));
        b.append('\n');
        s.panic().flatMap(p -> s.goroutine(p.goroutineId())).ifPresent(g -> {
            b.append("### Panicking goroutine\n\n```\n");
            stack(b, g);
            b.append("```\n\n");
        });
        if (!s.warnings().isEmpty()) {
            b.append("### Warnings\n\n");
            s.warnings().forEach(w -> b.append("- ").append(w).append('\n'));
            b.append('\n');
        }
        b.append("<sub>chanscope ").append(Version.current()).append("</sub>\n");
        return b.toString();
    }

    private static void stack(StringBuilder b, Goroutine g) {
        b.append("goroutine ").append(g.id()).append(" [").append(g.state()).append("]:\n");
        for (Frame f : g.frames()) {
            b.append(f.function()).append(f.inlined() ? "(...)" : "()").append("\n\t").append(f.location()).append('\n');
        }
        g.createdBy().ifPresent(c -> b.append("created by ").append(c.function()).append("\n\t").append(c.location())
                .append('\n'));
    }
}
