package dev.chanscope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void escapesWhatATerminalActsOn() {
        assertEquals("a\\x1b[2Jb\\x07c\\x0d\\x7f\\x9b\\u202e\\u2066\\u200f\\u2028\\ufeff", SafeText.escape(
                "a\u001b[2Jb\u0007c\r\u007f\u009b\u202e\u2066\u200f\u2028\ufeff"));
    }

    @Test
    void keepsPrintableTextNewlinesAndTabs() {
        String s = "panic: send on closed channel\n\tmain.go:12 é 日本 \uD83D\uDE00";
        assertSame(s, SafeText.escape(s));
    }

    @Test
    void theWriterEscapesEveryPrintPathButControlAndExactPassThrough() {
        StringWriter sink = new StringWriter();
        PrintWriter w = new SafePrintWriter(new PrintWriter(sink));
        w.print("x\u001b]0;title\u0007");
        w.println("y\u202e");
        w.printf("%s%n", "\u001b[H");
        w.write('\u009b');
        w.write("z\u001bq".toCharArray(), 0, 3);
        w.append("\u001b");
        SafePrintWriter.control(w, "\r\u001b[K");
        SafePrintWriter.exact(w).print("{\"m\":\"\u202e\"}");
        w.flush();
        String nl = System.lineSeparator();
        assertEquals("x\\x1b]0;title\\x07y\\u202e" + nl + "\\x1b[H" + nl + "\\x9bz\\x1bq\\x1b\r\u001b[K{\"m\":\"\u202e\"}",
                sink.toString());
    }
}
