package dev.chanscope.gdb;

/**
 * gdb printed a line that is not valid MI output. The message names the column and the line
 * (shortened around the column when long: memory reads produce megabyte lines).
 */
public class MiParseException extends GdbException {
    private static final int SHOWN_CHARS = 160;

    private final String line;
    private final int column;

    public MiParseException(String line, int column, String problem) {
        super("malformed gdb/MI output at column " + (column + 1) + " (" + problem + "): " + excerpt(line, column));
        this.line = line;
        this.column = column;
    }

    /** The whole offending line. */
    public String line() {
        return line;
    }

    /** Zero-based position of the problem in {@link #line()}. */
    public int column() {
        return column;
    }

    private static String excerpt(String line, int column) {
        if (line.length() <= SHOWN_CHARS) {
            return line;
        }
        int from = Math.max(0, Math.min(column - SHOWN_CHARS / 2, line.length() - SHOWN_CHARS));
        int to = Math.min(line.length(), from + SHOWN_CHARS);
        return (from > 0 ? "..." : "") + line.substring(from, to) + (to < line.length() ? "..." : "")
                + " [line of " + line.length() + " chars]";
    }
}
