package dev.chanscope.gdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Parses one line of gdb/MI output (GDB manual, "GDB/MI Output Syntax"):
 *
 * <pre>
 * result-record  = [token] "^" class *("," result)
 * async-record   = [token] ("*" | "+" | "=") class *("," result)
 * stream-record  = ("~" | "@" | "&amp;") c-string
 * prompt         = "(gdb)"
 * result         = name "=" value
 * value          = c-string | "{" [result *("," result)] "}" | "[" [value *("," value) | result *("," result)] "]"
 * </pre>
 *
 * Stateless and allocation-light: memory reads produce single lines of megabytes. Every error
 * is a {@link MiParseException} naming the line; every loop consumes input, so a bad line
 * cannot hang the reader.
 */
public final class MiParser {
    /** gdb never nests this deep; the limit turns hostile input into an error instead of a StackOverflowError. */
    private static final int MAX_DEPTH = 256;
    /** Tokens are what we send (a long counter); more digits cannot be ours. */
    private static final int MAX_TOKEN_DIGITS = 18;

    private MiParser() {
    }

    /**
     * Parses one output line (without its line terminator; a trailing CR is ignored).
     *
     * @throws MiParseException when the line is not valid MI output
     */
    public static MiRecord parse(String line) {
        return new Cursor(stripCarriageReturn(line)).record();
    }

    /**
     * Unescapes the inside of an MI C string (without the surrounding quotes): {@code \n \t \r
     * \" \\ \a \b \f \v \e}, octal {@code \NNN} and hex {@code \xHH}. Octal and hex escapes are
     * raw bytes; each run of them is decoded as UTF-8 as a whole, because gdb escapes every
     * byte of a multi-byte character separately ({@code é} arrives as {@code \303\251}).
     * Invalid UTF-8 becomes U+FFFD.
     *
     * @throws MiParseException on a backslash at the end or an octal escape above \377
     */
    public static String unescape(String body) {
        return unescape(body, 0, body.length());
    }

    private static String stripCarriageReturn(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static String unescape(String s, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        ByteRun bytes = new ByteRun();
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c != '\\') {
                bytes.flushInto(out);
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= to) {
                throw new MiParseException(s, i, "backslash at the end of a string");
            }
            char e = s.charAt(i + 1);
            if (isOctal(e)) {
                int end = i + 1;
                int value = 0;
                while (end < to && end < i + 4 && isOctal(s.charAt(end))) {
                    value = value * 8 + (s.charAt(end) - '0');
                    end++;
                }
                if (value > 0xFF) {
                    throw new MiParseException(s, i, "octal escape above \\377");
                }
                bytes.add(value);
                i = end;
            } else if (e == 'x' && i + 2 < to && Character.digit(s.charAt(i + 2), 16) >= 0) {
                int end = i + 2;
                int value = 0;
                while (end < to && end < i + 4 && Character.digit(s.charAt(end), 16) >= 0) {
                    value = value * 16 + Character.digit(s.charAt(end), 16);
                    end++;
                }
                bytes.add(value);
                i = end;
            } else {
                bytes.flushInto(out);
                out.append(namedEscape(e));
                i += 2;
            }
        }
        bytes.flushInto(out);
        return out.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    /** Unknown escapes stand for the character itself, as in C and in gdb's own parse_escape. */
    private static char namedEscape(char e) {
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'a' -> '\u0007';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'v' -> '\u000B';
            case 'e' -> '\u001B';
            default -> e;
        };
    }

    /** Consecutive escaped bytes, decoded together so multi-byte UTF-8 characters survive. */
    private static final class ByteRun {
        private byte[] buf = new byte[16];
        private int size;

        void add(int b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, size * 2);
            }
            buf[size++] = (byte) b;
        }

        void flushInto(StringBuilder out) {
            if (size > 0) {
                out.append(new String(buf, 0, size, StandardCharsets.UTF_8));
                size = 0;
            }
        }
    }

    /** A position in one line; each method consumes what it parsed or throws. */
    private static final class Cursor {
        private final String line;
        private int pos;
        private int depth;

        Cursor(String line) {
            this.line = line;
        }

        MiRecord record() {
            if (line.startsWith("(gdb)") && line.substring(5).isBlank()) {
                return new MiRecord.Prompt();
            }
            OptionalLong token = token();
            if (pos >= line.length()) {
                throw error("empty record");
            }
            char kind = line.charAt(pos++);
            MiRecord record = switch (kind) {
                case '^' -> new MiRecord.ResultRecord(token, word("result class"), results());
                case '*' -> async(token, MiRecord.AsyncKind.EXEC);
                case '+' -> async(token, MiRecord.AsyncKind.STATUS);
                case '=' -> async(token, MiRecord.AsyncKind.NOTIFY);
                case '~' -> stream(token, MiRecord.StreamKind.CONSOLE);
                case '@' -> stream(token, MiRecord.StreamKind.TARGET);
                case '&' -> stream(token, MiRecord.StreamKind.LOG);
                default -> {
                    pos--;
                    throw error("unknown record type '" + kind + "'");
                }
            };
            if (pos != line.length()) {
                throw error("unexpected text after the record");
            }
            return record;
        }

        private OptionalLong token() {
            int start = pos;
            while (pos < line.length() && Character.isDigit(line.charAt(pos)) && line.charAt(pos) < 128) {
                pos++;
            }
            if (pos == start) {
                return OptionalLong.empty();
            }
            if (pos - start > MAX_TOKEN_DIGITS) {
                throw errorAt(start, "token too long");
            }
            return OptionalLong.of(Long.parseLong(line, start, pos, 10));
        }

        private MiRecord async(OptionalLong token, MiRecord.AsyncKind kind) {
            return new MiRecord.AsyncRecord(token, kind, word("async class"), results());
        }

        private MiRecord stream(OptionalLong token, MiRecord.StreamKind kind) {
            if (token.isPresent()) {
                throw errorAt(pos - 1, "stream records carry no token");
            }
            return new MiRecord.StreamRecord(kind, cString());
        }

        /** A result or async class: letters, digits, '-' and '_'. */
        private String word(String what) {
            int start = pos;
            while (pos < line.length() && isWordChar(line.charAt(pos))) {
                pos++;
            }
            if (pos == start) {
                throw error("missing " + what);
            }
            return line.substring(start, pos);
        }

        private static boolean isWordChar(char c) {
            return c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_');
        }

        /** {@code *("," result)} up to the end of the line. */
        private MiValue.Tuple results() {
            Map<String, MiValue> fields = new LinkedHashMap<>();
            while (pos < line.length() && line.charAt(pos) == ',') {
                pos++;
                String name = name();
                // A repeated name in a tuple is not valid MI3; keep the first rather than fail.
                fields.putIfAbsent(name, value());
            }
            return new MiValue.Tuple(Collections.unmodifiableMap(fields));
        }

        private String name() {
            int start = pos;
            while (pos < line.length() && "=,{}[]\"".indexOf(line.charAt(pos)) < 0) {
                pos++;
            }
            if (pos == start) {
                throw error("expected a name");
            }
            if (pos >= line.length() || line.charAt(pos) != '=') {
                throw error("expected '=' after " + line.substring(start, pos));
            }
            String name = line.substring(start, pos);
            pos++;
            return name;
        }

        private MiValue value() {
            if (pos >= line.length()) {
                throw error("expected a value");
            }
            return switch (line.charAt(pos)) {
                case '"' -> new MiValue.Const(cString());
                case '{' -> tuple();
                case '[' -> list();
                default -> throw error("expected a value (\", { or [)");
            };
        }

        private MiValue.Tuple tuple() {
            enter();
            pos++; // '{'
            Map<String, MiValue> fields = new LinkedHashMap<>();
            if (!consumeIf('}')) {
                do {
                    String name = name();
                    fields.putIfAbsent(name, value());
                } while (consumeIf(','));
                expect('}');
            }
            depth--;
            return new MiValue.Tuple(Collections.unmodifiableMap(fields));
        }

        private MiValue list() {
            enter();
            pos++; // '['
            MiValue list;
            if (consumeIf(']')) {
                list = new MiValue.ValueList(List.of());
            } else if (startsValue()) {
                List<MiValue> values = new ArrayList<>();
                do {
                    values.add(value());
                } while (consumeIf(','));
                expect(']');
                list = new MiValue.ValueList(Collections.unmodifiableList(values));
            } else {
                List<Map.Entry<String, MiValue>> results = new ArrayList<>();
                do {
                    String name = name();
                    results.add(Map.entry(name, value()));
                } while (consumeIf(','));
                expect(']');
                list = new MiValue.ResultList(Collections.unmodifiableList(results));
            }
            depth--;
            return list;
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw error("values nested deeper than " + MAX_DEPTH);
            }
        }

        private boolean startsValue() {
            char c = line.charAt(pos);
            return c == '"' || c == '{' || c == '[';
        }

        private String cString() {
            if (pos >= line.length() || line.charAt(pos) != '"') {
                throw error("expected '\"'");
            }
            int start = pos + 1;
            int i = start;
            boolean escaped = false;
            while (true) {
                if (i >= line.length()) {
                    throw errorAt(pos, "unterminated string");
                }
                char c = line.charAt(i);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    escaped = true;
                    i += 2;
                } else {
                    i++;
                }
            }
            // Most strings have no escapes: skip the copy through the unescaper.
            String text = escaped ? unescape(line, start, i) : line.substring(start, i);
            pos = i + 1;
            return text;
        }

        private boolean consumeIf(char c) {
            if (pos < line.length() && line.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!consumeIf(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private MiParseException error(String problem) {
            return errorAt(pos, problem);
        }

        private MiParseException errorAt(int at, String problem) {
            return new MiParseException(line, Math.min(at, line.length()), problem);
        }
    }
}
