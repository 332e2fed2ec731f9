package dev.chanscope.gdb;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last lines gdb wrote to stderr and to its log stream, for error messages. Bounded in
 * lines and in line length: a dump can make gdb print warnings without end.
 */
final class RecentLines {
    private static final int MAX_LINE_CHARS = 1000;

    private final int capacity;
    private final ArrayDeque<String> lines;

    RecentLines(int capacity) {
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(capacity);
    }

    /** Adds text that may hold several lines; blank lines are dropped. */
    void addText(String text) {
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                add(line);
            }
        }
    }

    synchronized void add(String line) {
        String stripped = line.stripTrailing();
        if (stripped.length() > MAX_LINE_CHARS) {
            stripped = stripped.substring(0, MAX_LINE_CHARS) + "...";
        }
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(stripped);
    }

    synchronized List<String> snapshot() {
        return List.copyOf(lines);
    }

    /** The last {@code n} lines joined for a one-line message. */
    String tail(int n) {
        List<String> all = snapshot();
        List<String> last = all.subList(Math.max(0, all.size() - n), all.size());
        return last.isEmpty() ? "(gdb logged nothing)" : String.join(" | ", last);
    }
}
