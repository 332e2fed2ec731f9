package dev.chanscope.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The {@link Summary} as text (a terminal), Markdown (a ticket) or JSON (a pipeline). */
public final class SummaryReport {
    public enum Format {
        TEXT, MARKDOWN, JSON;

        /** By file name: .json, .md/.markdown, anything else text. */
        public static Format forFile(java.nio.file.Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".json")) {
                return JSON;
            }
            return name.endsWith(".md") || name.endsWith(".markdown") ? MARKDOWN : TEXT;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryReport() {
    }

    public static String render(Summary s, Format f) {
        return switch (f) {
            case TEXT -> text(s);
            case MARKDOWN -> markdown(s);
            case JSON -> json(s);
        };
    }

    static String text(Summary s) {
        StringBuilder b = new StringBuilder();
        b.append(s.headline()).append('\n');
        if (!s.groups().isEmpty()) {
            int n = s.groups().stream().mapToInt(Summary.Group::count).sum();
            b.append('\n').append("root causes (").append(n).append(n == 1 ? " core in " : " cores in ")
                    .append(s.groups().size()).append(s.groups().size() == 1 ? " group):\n" : " groups):\n");
            for (Summary.Group g : s.groups()) {
                Signature sig = g.signature();
                b.append(String.format("%6d  %s%s%n", g.count(), sig.pattern(),
                        g.meanConfidence().isPresent() ? String.format(Locale.ROOT, "  (confidence %.2f)",
                                g.meanConfidence().getAsDouble()) : ""));
                if (sig.isChannel()) {
                    b.append("        closer  ").append(sig.closer().orElse("(not found)")).append('\n');
                    b.append("        sender  ").append(sig.sender().orElse("(not found)")).append('\n');
                } else {
                    b.append("        panic   ").append(sig.panic().orElse("")).append('\n');
                    b.append("        at      ").append(sig.sender().orElse("(no user frame)")).append('\n');
                }
                b.append("        e.g.    ").append(String.join(", ", g.examples())).append('\n');
            }
        }
        if (!s.errors().isEmpty()) {
            int n = s.errors().stream().mapToInt(Summary.ErrorGroup::count).sum();
            b.append('\n').append("not analyzed (").append(n).append(n == 1 ? " core):\n" : " cores):\n");
            for (Summary.ErrorGroup e : s.errors()) {
                b.append(String.format("%6d  %-7s  %s%n", e.count(), e.status().id(), e.message()));
                b.append("        e.g.    ").append(String.join(", ", e.examples())).append('\n');
            }
        }
        return b.toString();
    }

    static String markdown(Summary s) {
        StringBuilder b = new StringBuilder();
        b.append("## Crash summary\n\n").append(s.headline()).append(".\n");
        if (!s.groups().isEmpty()) {
            b.append("\n| cores | pattern | confidence | closer (or panic) | sender (or panicking frame) | examples |\n");
            b.append("|---:|---|---:|---|---|---|\n");
            for (Summary.Group g : s.groups()) {
                Signature sig = g.signature();
                b.append("| ").append(g.count()).append(" | ").append(sig.pattern()).append(" | ")
                        .append(g.meanConfidence().isPresent()
                                ? String.format(Locale.ROOT, "%.2f", g.meanConfidence().getAsDouble()) : "")
                        .append(" | ").append(code(sig.isChannel() ? sig.closer() : sig.panic()))
                        .append(" | ").append(code(sig.sender()))
                        .append(" | ").append(String.join("<br>", g.examples().stream().map(x -> "`" + cell(x) + "`").toList()))
                        .append(" |\n");
            }
        }
        if (!s.errors().isEmpty()) {
            b.append("\n### Not analyzed\n\n| cores | status | error | examples |\n|---:|---|---|---|\n");
            for (Summary.ErrorGroup e : s.errors()) {
                b.append("| ").append(e.count()).append(" | ").append(e.status().id()).append(" | ").append(cell(e.message()))
                        .append(" | ").append(String.join("<br>", e.examples().stream().map(x -> "`" + cell(x) + "`").toList()))
                        .append(" |\n");
            }
        }
        return b.toString();
    }

    static String json(Summary s) {
        ObjectNode root = JSON.createObjectNode();
        root.put("cores", s.cores());
        ObjectNode st = root.putObject("statuses");
        for (Status x : Status.values()) {
            if (s.statuses().containsKey(x)) {
                st.put(x.id(), s.statuses().get(x));
            }
        }
        ArrayNode groups = root.putArray("groups");
        for (Summary.Group g : s.groups()) {
            ObjectNode o = groups.addObject();
            Signature sig = g.signature();
            o.put("count", g.count());
            o.put("pattern", sig.pattern());
            if (g.meanConfidence().isPresent()) {
                o.put("meanConfidence", g.meanConfidence().getAsDouble());
            } else {
                o.putNull("meanConfidence");
            }
            put(o, "closer", sig.closer());
            put(o, "sender", sig.sender());
            put(o, "panic", sig.panic());
            strings(o.putArray("examples"), g.examples());
        }
        ArrayNode errors = root.putArray("errors");
        for (Summary.ErrorGroup e : s.errors()) {
            ObjectNode o = errors.addObject();
            o.put("count", e.count());
            o.put("status", e.status().id());
            o.put("message", e.message());
            strings(o.putArray("examples"), e.examples());
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(ObjectNode o, String name, Optional<String> v) {
        v.ifPresentOrElse(x -> o.put(name, x), () -> o.putNull(name));
    }

    private static void strings(ArrayNode a, List<String> l) {
        l.forEach(a::add);
    }

    private static String code(Optional<String> v) {
        return v.map(x -> "`" + cell(x) + "`").orElse("");
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("`", "'");
    }
}
