package dev.chanscope.report;

import dev.chanscope.binary.SourcePos;
import dev.chanscope.diagnose.CloserCandidate;
import dev.chanscope.diagnose.Wrappers;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.Evidence;
import dev.chanscope.diagnose.SourceIndex;
import java.util.List;
import java.util.Locale;

/**
 * The diagnosis as an incident note: verdict first, then the two sides of the race, the
 * evidence a reader can check, and the fix. Plain text or Markdown from the same content.
 */
public final class DiagnosisText {
    private final boolean markdown;
    private final SourceIndex source;

    public DiagnosisText(boolean markdown, SourceIndex source) {
        this.markdown = markdown;
        this.source = source;
    }

    public String render(Diagnosis d) {
        StringBuilder b = new StringBuilder();
        heading(b, "VERDICT: " + d.pattern().id() + String.format(Locale.ROOT, " (confidence %.2f)", d.confidence()));
        b.append(d.headline()).append("\n\n");
        d.closer().ifPresent(c -> closer(b, c));
        d.sender().ifPresent(s -> {
            heading(b, "VICTIM");
            b.append(bullet()).append(s.function()).append(" at ").append(s.location()).append('\n');
            code(b, source.context(s.file(), s.line(), 2, 1));
            b.append('\n');
        });
        heading(b, "EVIDENCE");
        for (Evidence e : d.evidence()) {
            b.append(bullet()).append('[').append(e.weight().name().toLowerCase(Locale.ROOT)).append("] ")
                    .append(e.text()).append('\n');
        }
        b.append('\n');
        if (!d.runnersUp().isEmpty()) {
            heading(b, "ALSO CONSIDERED");
            for (Diagnosis.RunnerUp r : d.runnersUp()) {
                b.append(bullet()).append(r.pattern().id())
                        .append(String.format(Locale.ROOT, " (%.2f): ", r.confidence())).append(r.why()).append('\n');
            }
            b.append('\n');
        }
        if (!d.missing().isEmpty()) {
            heading(b, "MISSING EVIDENCE");
            d.missing().forEach(m -> b.append(bullet()).append(m).append('\n'));
            b.append('\n');
        }
        heading(b, "FIX");
        b.append(d.fix().summary()).append('\n');
        int i = 1;
        for (String step : d.fix().steps()) {
            b.append("  ").append(i++).append(". ").append(step).append('\n');
        }
        b.append('\n');
        if (!d.unresolved().isEmpty()) {
            heading(b, "NOT RESOLVED");
            d.unresolved().forEach(u -> b.append(bullet()).append(u).append('\n'));
            b.append('\n');
        }
        return b.toString();
    }

    private void closer(StringBuilder b, CloserCandidate c) {
        heading(b, "CLOSER");
        SourcePos p = c.site().source();
        if (c.site().wrapper() == dev.chanscope.binary.CallSite.Wrapper.DEFER_WRAPPER) {
            b.append(bullet()).append("deferred close in ").append(Wrappers.enclosing(c.site().physical()))
                    .append(" at ").append(p.location()).append(" (runs when it returns)");
        } else {
            b.append(bullet()).append(p.function()).append(" at ").append(p.location());
        }
        if (!c.site().physical().equals(p.function()) && c.site().wrapper() != dev.chanscope.binary.CallSite.Wrapper.DEFER_WRAPPER) {
            b.append(" (compiled into ").append(c.site().physical()).append(')');
        }
        b.append('\n');
        if (!c.roots().isEmpty()) {
            b.append(bullet()).append("reachable from goroutines started at: ").append(String.join(", ", c.roots()))
                    .append('\n');
        }
        code(b, source.context(p.file(), p.line(), 3, 1));
        b.append('\n');
    }

    private void heading(StringBuilder b, String text) {
        b.append(markdown ? "### " + text : text).append('\n');
    }

    private String bullet() {
        return markdown ? "- " : "  - ";
    }

    private void code(StringBuilder b, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (markdown) {
            b.append("```go\n");
        }
        lines.forEach(l -> b.append(markdown ? "" : "    ").append(l).append('\n'));
        if (markdown) {
            b.append("```\n");
        }
    }
}
