package dev.chanscope.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a log as collected (kubectl, journald, docker, a log platform's export) back into the
 * lines the Go runtime wrote to stderr: takes the text out of JSON records and strips the
 * prefixes a collector puts before each line. Each line keeps its number in the input, so the
 * report can say where a crash starts.
 */
public final class LogText {
    /** A line of runtime output and where it was in the log (1-based). */
    public record Line(int number, String text) {}

    /** The JSON fields that hold a log record's text, in the order tried. */
    private static final List<String> TEXT_FIELDS = List.of("log", "msg", "message", "MESSAGE", "textPayload");

    /**
     * Prefixes collectors put before the program's text, stripped repeatedly from the start of a
     * line. Each is anchored and specific enough not to eat the runtime's own text (which is
     * lowercase, or a tab, or a function name, a goroutine or a signal header).
     */
    private static final List<Pattern> PREFIXES = List.of(
            // RFC 3339 (kubectl logs --timestamps: RFC3339Nano, trailing zeros dropped; CRI files)
            Pattern.compile("^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})? ?"),
            // a CRI log file's stream and tag after the time: "stderr F "
            Pattern.compile("^(?:stdout|stderr) [FP] "),
            // kubectl logs --prefix: "[pod/web-7d9f/app] "
            Pattern.compile("^\\[(?:pod|deployment|statefulset|job|daemonset)/[^\\]\\s]+\\] "),
            // journalctl's default short format: "Dec 06 07:05:01 host svc[123]: "
            Pattern.compile("^[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\S+ [^\\s:]+(?:\\[\\d+\\])?: "),
            // docker compose: "web-1  | "
            Pattern.compile("^[\\w.-]+\\s+\\| "),
            // an upper-case level, alone or as level=
            Pattern.compile("^(?:level=)?(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|PANIC|CRIT|CRITICAL)(?::|\\s)\\s*"));

    /** Where the runtime's text starts in a line whose prefix no pattern knows: its first words. */
    private static final Pattern ANCHOR = Pattern.compile(
            "(?:goroutine \\d+ (?:gp=|\\[)|panic: |fatal error: |created by |SIG[A-Z0-9]+: )");

    private static final ObjectMapper JSON = new ObjectMapper();

    private LogText() {
    }

    /** The runtime's lines in {@code text}, prefixes and JSON wrapping removed. */
    public static List<Line> lines(String text) {
        String[] raw = text.split("\r?\n", -1);
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < raw.length; i++) {
            for (String s : unwrap(raw[i])) {
                out.add(new Line(i + 1, s));
            }
        }
        return stripLearnedPrefixes(out);
    }

    /** A JSON record's text split into lines, else the line itself; known prefixes stripped. */
    private static List<String> unwrap(String line) {
        String s = stripKnown(line);
        String t = s.strip();
        if (t.startsWith("{") && t.endsWith("}")) {
            try {
                JsonNode n = JSON.readTree(t);
                for (String f : TEXT_FIELDS) {
                    JsonNode v = n.get(f);
                    if (v != null && v.isTextual()) {
                        String body = v.asText();
                        if (body.endsWith("\n")) {
                            body = body.substring(0, body.length() - 1);
                        }
                        List<String> out = new ArrayList<>();
                        for (String part : body.split("\r?\n", -1)) {
                            out.add(stripKnown(part));
                        }
                        return out;
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not JSON after all: the line as it is
            }
        }
        return List.of(s);
    }

    static String stripKnown(String line) {
        String s = line;
        for (int round = 0; round < 4; round++) {
            boolean changed = false;
            for (Pattern p : PREFIXES) {
                Matcher m = p.matcher(s);
                if (m.find() && m.end() > 0) {
                    s = s.substring(m.end());
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
        }
        return s;
    }

    /**
     * Prefixes no pattern knows (a pod name, a service tag): learned from the lines where the
     * runtime's text is recognisable after them ("web-1 goroutine 7 [running]:"), then stripped
     * from every line that starts with one of them.
     */
    private static List<Line> stripLearnedPrefixes(List<Line> lines) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Line l : lines) {
            Matcher m = ANCHOR.matcher(l.text());
            // the runtime's own lines are no prefix: "[signal SIGSEGV: ...]", a panic value quoting one
            if (l.text().startsWith("[signal ") || m.lookingAt()) {
                continue;
            }
            if (m.find() && m.start() > 0) {
                String prefix = l.text().substring(0, m.start());
                if (!prefix.isBlank() && !prefix.startsWith("\t")) {
                    seen.merge(prefix, 1, Integer::sum);
                }
            }
        }
        List<String> learned = seen.keySet().stream().sorted((a, b) -> b.length() - a.length()).toList();
        if (learned.isEmpty()) {
            return lines;
        }
        List<Line> out = new ArrayList<>(lines.size());
        for (Line l : lines) {
            String t = l.text();
            for (String p : learned) {
                if (t.startsWith(p)) {
                    t = t.substring(p.length());
                    break;
                }
            }
            out.add(new Line(l.number(), t));
        }
        return out;
    }
}
