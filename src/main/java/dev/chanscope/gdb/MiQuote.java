package dev.chanscope.gdb;

import java.nio.charset.StandardCharsets;

/**
 * Quoting for the two argument parsers a command meets in gdb 13 (checked against the real
 * thing, see docs/gdb-mi.md):
 *
 * <ul>
 *   <li>MI commands implemented in MI ({@code -data-evaluate-expression}, {@code -interpreter-exec},
 *       ...) split their arguments with C-string rules: {@link #cString}.</li>
 *   <li>MI commands that wrap a CLI command ({@code -file-exec-and-symbols} is {@code file},
 *       {@code -target-select} is {@code target}) pass the rest of the line raw to the CLI, which
 *       knows no C escapes; and an MI line cannot carry a newline at all. So file names go
 *       through {@code -interpreter-exec console "<cli command>"}: the outer {@link #cString}
 *       transports any character, the inner {@link #cliWord} survives the CLI's argv splitting.</li>
 * </ul>
 *
 * The output is pure ASCII (non-ASCII leaves as octal UTF-8 bytes), so it does not depend on
 * how gdb decodes its input.
 */
public final class MiQuote {
    private MiQuote() {
    }

    /**
     * {@code "..."} with {@code \\ \" \n \t} escaped and every other control or non-ASCII byte
     * of the UTF-8 encoding as a three-digit octal escape ({@code é} → {@code \303\251}).
     * gdb's MI argument parser knows octal but not {@code \x} or {@code \e}, so those are not used.
     *
     * @throws IllegalArgumentException for a NUL character, which gdb refuses in arguments
     */
    public static String cString(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : utf8) {
            int c = b & 0xFF;
            switch (c) {
                case 0 -> throw new IllegalArgumentException("NUL character cannot be passed to gdb: " + s);
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7F) {
                        // Always three digits, so a following digit cannot extend the escape.
                        out.append('\\').append((char) ('0' + (c >> 6)))
                                .append((char) ('0' + ((c >> 3) & 7)))
                                .append((char) ('0' + (c & 7)));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * One word for a CLI command that splits its arguments like libiberty's {@code buildargv}
     * ({@code file}, {@code core-file} options...): double-quoted with {@code \\} and {@code \"}
     * escaped. Quoting (rather than backslash-escaping spaces) keeps a trailing space, which
     * the CLI would otherwise strip from the line. Newlines inside the quotes are kept by the
     * CLI, but only {@link #cString} can carry them to gdb.
     */
    public static String cliWord(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL character cannot be passed to gdb: " + s);
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** The MI command that runs {@code cliCommand} in the CLI interpreter. */
    public static String console(String cliCommand) {
        return "-interpreter-exec console " + cString(cliCommand);
    }
}
