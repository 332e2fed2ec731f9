package dev.chanscope;

/**
 * Makes text from the input (panic messages, source lines, file paths, member names) safe to
 * show on a terminal: every character that a terminal acts on rather than prints is shown
 * escaped. C0 controls but newline and tab, DEL and C1 controls become {@code \xNN}
 * ({@code ESC} is {@code \x1b}); Unicode bidirectional overrides and isolates, line and paragraph
 * separators and byte-order marks become backslash-u and four hex digits. JSON is never passed
 * through this: its encoder escapes what JSON requires, and its strings stay exact.
 */
public final class SafeText {
    private SafeText() {
    }

    /** Whether a terminal would act on {@code c} instead of printing it. */
    public static boolean unsafe(char c) {
        if (c < 0x20) {
            return c != '\n' && c != '\t';
        }
        if (c < 0x7f) {
            return false;
        }
        return c <= 0x9f // DEL and C1 controls (CSI is 0x9b)
                || c == 0x061c // Arabic letter mark
                || c == 0x200e || c == 0x200f // left-to-right / right-to-left mark
                || c >= 0x2028 && c <= 0x202e // line/paragraph separator, embeddings, overrides
                || c >= 0x2066 && c <= 0x2069 // isolates
                || c == 0xfeff;
    }

    /** The escaped form of one character (as {@link #escape} writes it). */
    public static String escaped(char c) {
        return c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
    }

    /** {@code s} with every unsafe character escaped; {@code s} itself when there is none. */
    public static String escape(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && !unsafe(s.charAt(i))) {
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder b = new StringBuilder(n + 16).append(s, 0, i);
        while (i < n) {
            char c = s.charAt(i);
            if (unsafe(c)) {
                b.append(escaped(c));
            } else {
                b.append(c);
            }
            i++;
        }
        return b.toString();
    }

}
