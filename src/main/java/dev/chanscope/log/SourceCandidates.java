package dev.chanscope.log;

import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.PanicKind;
import dev.chanscope.goruntime.PanicRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Without the binary, the source is all there is: the victim's statement names the channel
 * ({@code s.results <- r}, {@code close(c.done)}), and the {@code close(...)} statements of the
 * files on the crashing goroutines' stacks that close an expression of the same name are the
 * candidates. A candidate is not a verdict: nothing ties it to this channel's value, nothing
 * says it ran (docs/log.md).
 */
public final class SourceCandidates {
    /** A closing statement the source allows, with why and the pattern its shape suggests. */
    public record Candidate(String function, String file, int line, String statement, String suggests, String why) {}

    private static final Pattern FUNC = Pattern.compile("^func\\s+(?:\\((\\w+)\\s+\\*?([\\w.]+)\\)\\s*)?(\\w+)");

    private SourceCandidates() {
    }

    /**
     * @param files the frames whose files are searched for closes (the goroutines' stacks)
     */
    public static List<Candidate> find(PanicRecord p, List<Frame> files, SourceIndex source) {
        if (!p.kind().isChannelPanic() || p.kind() == PanicKind.CLOSE_OF_NIL || p.userFrame().isEmpty()) {
            return List.of();
        }
        Frame victim = p.userFrame().get();
        boolean closeOfClosed = p.kind() == PanicKind.CLOSE_OF_CLOSED;
        List<String> exprs = closeOfClosed ? source.closedExpression(victim.file(), victim.line()).map(List::of)
                .orElse(List.of()) : source.sendTargets(victim.file(), victim.line());
        if (exprs.isEmpty()) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        exprs.forEach(e -> names.add(SourceIndex.lastName(e)));
        Set<String> paths = new LinkedHashSet<>();
        files.forEach(f -> paths.add(f.file()));
        List<Candidate> out = new ArrayList<>();
        for (String file : paths) {
            String function = "";
            for (int i = 1; ; i++) {
                Optional<String> text = source.line(file, i);
                if (text.isEmpty()) {
                    break;
                }
                Matcher fm = FUNC.matcher(text.get());
                if (fm.find()) {
                    function = fm.group(2) != null ? "(*" + fm.group(2) + ")." + fm.group(3) : fm.group(3);
                }
                Optional<String> closed = source.closedExpression(file, i);
                if (closed.isEmpty() || !names.contains(SourceIndex.lastName(closed.get()))
                        || closeOfClosed && file.equals(victim.file()) && i == victim.line()) {
                    continue;
                }
                boolean deferred = text.get().strip().startsWith("defer ");
                boolean sameExpr = exprs.contains(closed.get());
                String suggests = deferred ? "defer-close" : closeOfClosed ? "double-close"
                        : "premature-close or multi-closer";
                out.add(new Candidate(function, file, i, text.get().strip(), suggests, (sameExpr ? "closes "
                        + closed.get() + ", the expression the victim used" : "closes " + closed.get()
                        + ", named like the victim's " + String.join(" or ", exprs)) + " at " + victim.location()));
            }
        }
        return List.copyOf(out);
    }
}
