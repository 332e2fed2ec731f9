package dev.chanscope.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MiQuoteTest {

    /** What gdb would read back: strip the quotes and undo the escapes as MiParser does. */
    private static String roundTrip(String s) {
        String quoted = MiQuote.cString(s);
        assertTrue(quoted.startsWith("\"") && quoted.endsWith("\""), quoted);
        return MiParser.unescape(quoted.substring(1, quoted.length() - 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "plain",
        "/tmp/dir with spaces/core.1234",
        "say \"hi\"",
        "back\\slash\\",
        "new\nline\r\n",
        "tab\there",
        "h\u00e9llo \u20ac \uD83D\uDE00",
        "\u0001\u001b\u007f\u0080\u00ff",
        "\\303 is not an escape here",
        "octal then digit \u0007" + "7",
    })
    void cStringRoundTrips(String s) {
        assertEquals(s, roundTrip(s));
    }

    @Test
    void cStringRoundTripsRandomText() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(20);
            for (int j = 0; j < length; j++) {
                int kind = random.nextInt(4);
                int cp = switch (kind) {
                    case 0 -> 1 + random.nextInt(0x7F);          // ASCII incl. controls
                    case 1 -> "\"\\\n\t\r".charAt(random.nextInt(5));
                    case 2 -> 0x80 + random.nextInt(0x800);      // two-byte UTF-8
                    default -> 0x1F600 + random.nextInt(0x40);   // four-byte UTF-8
                };
                s.appendCodePoint(cp);
            }
            assertEquals(s.toString(), roundTrip(s.toString()));
        }
    }

    @Test
    void cStringIsPureAsciiWithThreeDigitOctal() {
        assertEquals("\"h\\303\\251 \\\"q\\\" \\\\ \\n\\t\\015\\033\\177\"", MiQuote.cString("h\u00e9 \"q\" \\ \n\t\r\u001b\u007f"));
        String quoted = MiQuote.cString("\u0007" + "7");
        assertEquals("\"\\0077\"", quoted, "three digits, so the following 7 is not part of the escape");
    }

    @Test
    void nulIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MiQuote.cString("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> MiQuote.cliWord("a\0b"));
    }

    @Test
    void cliWordQuotesForBuildargv() {
        assertEquals("\"/a b/c\"", MiQuote.cliWord("/a b/c"));
        assertEquals("\"say \\\"hi\\\" \\\\o/ \"", MiQuote.cliWord("say \"hi\" \\o/ "));
        assertEquals("\"line\nbreak\"", MiQuote.cliWord("line\nbreak"));
    }

    @Test
    void consoleCommandNestsTheCliTextInACString() {
        assertEquals("-interpreter-exec console \"echo a\\\\n\"", MiQuote.console("echo a\\n"));
        String file = MiQuote.console("file " + MiQuote.cliWord("/t/a \"b\"\nc"));
        assertEquals("-interpreter-exec console \"file \\\"/t/a \\\\\\\"b\\\\\\\"\\nc\\\"\"", file);
        String inner = MiParser.unescape(file.substring("-interpreter-exec console \"".length(), file.length() - 1));
        assertEquals("file \"/t/a \\\"b\\\"\nc\"", inner);
    }
}
