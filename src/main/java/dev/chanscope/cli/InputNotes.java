package dev.chanscope.cli;

import java.util.List;

/**
 * What acquisition noted about the input (skipped bundle members and why, which member became
 * the core and the binary, cache reuse): in the JSON as {@code input.notes} (JsonReport.Options.withNotes), in text and
 * Markdown as a NOTES section at the end. Before, they reached only a terminal's stderr.
 */
final class InputNotes {
    private InputNotes() {
    }

    static String text(List<String> notes, boolean markdown) {
        if (notes.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(markdown ? "\n## Notes on the input\n\n" : "\nNOTES ON THE INPUT\n");
        for (String n : notes) {
            sb.append(markdown ? "- " : "  ").append(n).append('\n');
        }
        return sb.toString();
    }
}
