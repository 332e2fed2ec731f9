package dev.chanscope.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

class MiParserTest {

    static final List<String> TRANSCRIPTS = MiTranscripts.ALL;

    // ---- record kinds ----

    @Test
    void resultRecordWithTokenAndResults() {
        var r = assertInstanceOf(MiRecord.ResultRecord.class, MiParser.parse("12^done,value=\"3\""));
        assertEquals(OptionalLong.of(12), r.token());
        assertEquals("done", r.resultClass());
        assertEquals("3", r.results().string("value").orElseThrow());
    }

    @Test
    void resultRecordWithoutTokenOrResults() {
        var r = assertInstanceOf(MiRecord.ResultRecord.class, MiParser.parse("^exit"));
        assertEquals(OptionalLong.empty(), r.token());
        assertEquals("exit", r.resultClass());
        assertTrue(r.results().fields().isEmpty());
    }

    @Test
    void allResultClasses() {
        for (String c : List.of("done", "running", "connected", "error", "exit")) {
            assertEquals(c, ((MiRecord.ResultRecord) MiParser.parse("7^" + c)).resultClass());
        }
    }

    @Test
    void asyncRecordsOfEachKind() {
        var exec = (MiRecord.AsyncRecord) MiParser.parse("*stopped,reason=\"exited\",exit-code=\"02\"");
        assertEquals(MiRecord.AsyncKind.EXEC, exec.kind());
        assertEquals("stopped", exec.asyncClass());
        assertEquals("02", exec.results().string("exit-code").orElseThrow());

        var status = (MiRecord.AsyncRecord) MiParser.parse(
                "+download,progress={section=\".text\",section-size=\"6668\"}");
        assertEquals(MiRecord.AsyncKind.STATUS, status.kind());
        assertEquals("download", status.asyncClass());

        var notify = (MiRecord.AsyncRecord) MiParser.parse("=thread-group-added,id=\"i1\"");
        assertEquals(MiRecord.AsyncKind.NOTIFY, notify.kind());
        assertEquals("thread-group-added", notify.asyncClass());
        assertEquals("i1", notify.results().string("id").orElseThrow());

        var tokened = (MiRecord.AsyncRecord) MiParser.parse("5*running,thread-id=\"all\"");
        assertEquals(OptionalLong.of(5), tokened.token());
    }

    @Test
    void streamRecordsOfEachKind() {
        assertEquals(new MiRecord.StreamRecord(MiRecord.StreamKind.CONSOLE, "hello\n"), MiParser.parse("~\"hello\\n\""));
        assertEquals(new MiRecord.StreamRecord(MiRecord.StreamKind.TARGET, "out"), MiParser.parse("@\"out\""));
        assertEquals(new MiRecord.StreamRecord(MiRecord.StreamKind.LOG, "warning: x\n"),
                MiParser.parse("&\"warning: x\\n\""));
    }

    @Test
    void promptWithAndWithoutTrailingSpace() {
        assertInstanceOf(MiRecord.Prompt.class, MiParser.parse("(gdb) "));
        assertInstanceOf(MiRecord.Prompt.class, MiParser.parse("(gdb)"));
        assertInstanceOf(MiRecord.Prompt.class, MiParser.parse("(gdb) \r"));
    }

    // ---- values ----

    @Test
    void nestedTuplesAndLists() {
        var r = (MiRecord.ResultRecord) MiParser.parse(
                "^done,bkpt={number=\"1\",thread-groups=[\"i1\",\"i2\"],loc={a=[],b={}}},stack=[frame={level=\"0\"},frame={level=\"1\"}]");
        MiValue.Tuple bkpt = (MiValue.Tuple) r.results().get("bkpt").orElseThrow();
        assertEquals(List.of("number", "thread-groups", "loc"), List.copyOf(bkpt.fields().keySet()));
        assertEquals(new MiValue.ValueList(List.of(new MiValue.Const("i1"), new MiValue.Const("i2"))),
                bkpt.get("thread-groups").orElseThrow());
        MiValue.Tuple loc = (MiValue.Tuple) bkpt.get("loc").orElseThrow();
        assertEquals(new MiValue.ValueList(List.of()), loc.get("a").orElseThrow());
        assertEquals(new MiValue.Tuple(Map.of()), loc.get("b").orElseThrow());

        MiValue.ResultList stack = (MiValue.ResultList) r.results().get("stack").orElseThrow();
        assertEquals(List.of("frame", "frame"), stack.results().stream().map(Map.Entry::getKey).toList());
        assertEquals("1", ((MiValue.Tuple) stack.values().get(1)).string("level").orElseThrow());
    }

    @Test
    void listOfListsAndTuples() {
        var r = (MiRecord.ResultRecord) MiParser.parse("^done,x=[[\"a\"],[],{k=\"v\"}]");
        MiValue.ValueList x = (MiValue.ValueList) r.results().get("x").orElseThrow();
        assertEquals(3, x.values().size());
        assertInstanceOf(MiValue.ValueList.class, x.values().get(0));
        assertInstanceOf(MiValue.Tuple.class, x.values().get(2));
    }

    @Test
    void tupleKeepsInsertionOrder() {
        var r = (MiRecord.ResultRecord) MiParser.parse("^done,z=\"1\",a=\"2\",m=\"3\",b=\"4\"");
        assertEquals(List.of("z", "a", "m", "b"), List.copyOf(r.results().fields().keySet()));
    }

    @Test
    void duplicateNameInTupleKeepsFirst() {
        var r = (MiRecord.ResultRecord) MiParser.parse("^done,t={a=\"1\",a=\"2\"}");
        assertEquals("1", ((MiValue.Tuple) r.results().get("t").orElseThrow()).string("a").orElseThrow());
    }

    // ---- c-strings ----

    @Test
    void namedEscapes() {
        assertEquals("a\nb\tc\"d\\e\rf\u0007\b\f\u000B\u001B'?",
                MiParser.unescape("a\\nb\\tc\\\"d\\\\e\\rf\\a\\b\\f\\v\\e\\'\\?"));
    }

    @Test
    void octalEscapesAreUtf8BytesDecodedTogether() {
        assertEquals("héllo € 😀", MiParser.unescape("h\\303\\251llo \\342\\202\\254 \\360\\237\\230\\200"));
        assertEquals("\u0001\u007f", MiParser.unescape("\\001\\177"));
        // Fewer than three digits end at the first non-octal character.
        assertEquals("\u0000" + "8", MiParser.unescape("\\08"));
        assertEquals("\u00079", MiParser.unescape("\\79"));
    }

    @Test
    void hexEscapes() {
        assertEquals("AB", MiParser.unescape("\\x41\\x42"));
        assertEquals("é", MiParser.unescape("\\xc3\\xa9"));
        assertEquals("xyz", MiParser.unescape("\\xyz"), "\\x without hex digits is just x");
    }

    @Test
    void invalidUtf8BecomesReplacementCharacter() {
        assertEquals("a\uFFFDb", MiParser.unescape("a\\377b"));
    }

    @Test
    void rawNonAsciiIsKept() {
        assertEquals(new MiRecord.StreamRecord(MiRecord.StreamKind.CONSOLE, "héllo é"),
                MiParser.parse("~\"héllo \\303\\251\""));
    }

    @Test
    void octalAboveByteIsAnError() {
        assertThrows(MiParseException.class, () -> MiParser.unescape("\\400"));
    }

    // ---- malformed lines ----

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage",
        "12",
        "^",
        "^done,",
        "^done,value",
        "^done,value=",
        "^done,value=3",
        "^done,value=\"3",
        "^done,value=\"3\"x",
        "^done,value=\"3\\\"",
        "^done,t={a=\"1\"",
        "^done,t={a=\"1\",}",
        "^done,l=[\"1\",",
        "^done,l=[\"1\",a=\"2\"]",
        "^done,l=[a=\"1\",\"2\"]",
        "^done,t={\"1\"}",
        "1~\"tokened stream\"",
        "~unquoted",
        "~\"a\" trailing",
        "123456789012345678901^done",
        "*",
        "=,x=\"1\"",
        "^done,=\"1\"",
        "0x4ae5e0: \"not mi\"",
    })
    void malformedLinesThrowNamingTheLine(String line) {
        MiParseException e = assertThrows(MiParseException.class, () -> MiParser.parse(line));
        assertTrue(e.getMessage().startsWith("malformed gdb/MI output at column "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": " + line), e.getMessage());
        assertEquals(line, e.line());
        assertTrue(e.column() >= 0 && e.column() <= line.length());
    }

    @Test
    void longMalformedLineIsShownAroundTheProblem() {
        String line = "^done,memory=[{contents=\"" + "ab".repeat(100_000) + "\"}x";
        MiParseException e = assertThrows(MiParseException.class, () -> MiParser.parse(line));
        assertTrue(e.getMessage().length() < 400, e.getMessage());
        assertTrue(e.getMessage().contains("}x"), e.getMessage());
        assertTrue(e.getMessage().contains("[line of " + line.length() + " chars]"), e.getMessage());
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String line = "^done,v=" + "[".repeat(100_000);
        MiParseException e = assertThrows(MiParseException.class, () -> MiParser.parse(line));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    @Test
    void megabyteLinesParseInLinearTime() {
        StringBuilder line = new StringBuilder("5^done,memory=[");
        for (int i = 0; i < 50_000; i++) {
            line.append(i == 0 ? "" : ",").append("{begin=\"0x").append(i).append("\",contents=\"00ff00ff00ff\"}");
        }
        line.append("],tail=\"\\303\\251\"");
        String text = line.toString();
        var r = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> (MiRecord.ResultRecord) MiParser.parse(text));
        assertEquals(50_000, ((MiValue.ValueList) r.results().get("memory").orElseThrow()).values().size());
        assertEquals("é", r.results().string("tail").orElseThrow());
    }

    // ---- recorded gdb 13.1 transcripts ----

    @ParameterizedTest
    @FieldSource("TRANSCRIPTS")
    void everyRecordedLineParses(String transcript) {
        List<String> lines = MiTranscripts.lines(transcript);
        assertTrue(lines.size() > 5);
        for (String line : lines) {
            MiParser.parse(line);
        }
    }

    @Test
    void transcriptGdbVersionBanner() {
        String banner = MiTranscripts.consoleBefore("load-go-binary.mi", 1);
        assertTrue(banner.startsWith("GNU gdb (Debian 13.1-3) 13.1\n"), banner);
        assertTrue(banner.contains("Type \"show copying\""), banner);
        assertEquals(new GdbVersion(13, 1, "GNU gdb (Debian 13.1-3) 13.1"),
                GdbVersion.parse(banner.lines().findFirst().orElseThrow()).orElseThrow());
    }

    @Test
    void transcriptStartupNotifications() {
        List<MiRecord> records = MiTranscripts.records("load-go-binary.mi");
        var first = (MiRecord.AsyncRecord) records.get(0);
        assertEquals("thread-group-added", first.asyncClass());
        long autoLoadOff = records.stream()
                .filter(r -> r instanceof MiRecord.AsyncRecord a && a.asyncClass().equals("cmd-param-changed")
                        && a.results().string("param").orElse("").startsWith("auto-load")
                        && a.results().string("value").orElse("").equals("off"))
                .count();
        assertEquals(4, autoLoadOff, "gdb-scripts, libthread-db, local-gdbinit, python-scripts");
    }

    @Test
    void transcriptGoSymbols() {
        var r = MiTranscripts.result("load-go-binary.mi", 3);
        MiValue.Tuple symbols = (MiValue.Tuple) r.results().get("symbols").orElseThrow();
        MiValue.ValueList debug = (MiValue.ValueList) symbols.get("debug").orElseThrow();
        MiValue.Tuple file = (MiValue.Tuple) debug.values().get(0);
        assertEquals("/tmp/gdbrec/main.go", file.string("filename").orElseThrow());
        MiValue.ValueList functions = (MiValue.ValueList) file.get("symbols").orElseThrow();
        assertEquals("main.main", ((MiValue.Tuple) functions.values().get(0)).string("name").orElseThrow());
    }

    @Test
    void transcriptCoreThreadInfo() {
        var connected = MiTranscripts.result("core-threads.mi", 2);
        assertEquals("connected", connected.resultClass());
        MiValue.Tuple frame = (MiValue.Tuple) connected.results().get("frame").orElseThrow();
        assertEquals("runtime.raise", frame.string("func").orElseThrow());
        assertEquals(new MiValue.ValueList(List.of()), frame.get("args").orElseThrow());

        var info = MiTranscripts.result("core-threads.mi", 3);
        MiValue.ValueList threads = (MiValue.ValueList) info.results().get("threads").orElseThrow();
        assertEquals(4, threads.values().size());
        MiValue.Tuple t1 = (MiValue.Tuple) threads.values().get(0);
        assertEquals("LWP 4212", t1.string("target-id").orElseThrow());
        assertEquals("stopped", t1.string("state").orElseThrow());
        assertEquals("1", info.results().string("current-thread-id").orElseThrow());

        String beforeConnect = MiTranscripts.consoleBefore("core-threads.mi", 2);
        assertTrue(beforeConnect.contains("Program terminated with signal SIGABRT, Aborted.\n"), beforeConnect);
    }

    @Test
    void transcriptStackListFrames() {
        var r = MiTranscripts.result("core-threads.mi", 6);
        MiValue.ResultList stack = (MiValue.ResultList) r.results().get("stack").orElseThrow();
        assertEquals(4, stack.results().size());
        assertTrue(stack.results().stream().allMatch(e -> e.getKey().equals("frame")));
        assertEquals("runtime.futex", ((MiValue.Tuple) stack.values().get(0)).string("func").orElseThrow());
    }

    @Test
    void transcriptRegisters() {
        var names = (MiValue.ValueList) MiTranscripts.result("registers.mi", 3).results()
                .get("register-names").orElseThrow();
        assertEquals(new MiValue.Const("rax"), names.values().get(0));
        assertEquals(new MiValue.Const("rip"), names.values().get(16));

        var values = (MiValue.ValueList) MiTranscripts.result("registers.mi", 4).results()
                .get("register-values").orElseThrow();
        assertTrue(values.values().size() > 100, "all registers, vector ones included");
        MiValue.Tuple rip = (MiValue.Tuple) values.values().get(16);
        assertEquals("16", rip.string("number").orElseThrow());
        assertEquals("0x480aa1", rip.string("value").orElseThrow());

        var some = (MiValue.ValueList) MiTranscripts.result("registers.mi", 5).results()
                .get("register-values").orElseThrow();
        assertEquals(5, some.values().size());
    }

    @Test
    void transcriptDisassembly() {
        var raw = (MiValue.ValueList) MiTranscripts.result("disassemble.mi", 3).results()
                .get("asm_insns").orElseThrow();
        MiValue.Tuple ret = (MiValue.Tuple) raw.values().get(0);
        assertEquals("ret", ret.string("inst").orElseThrow());
        assertEquals("runtime.raise", ret.string("func-name").orElseThrow());

        var withSource = (MiValue.ResultList) MiTranscripts.result("disassemble.mi", 4).results()
                .get("asm_insns").orElseThrow();
        assertEquals("src_and_asm_line", withSource.results().get(0).getKey());
        MiValue.Tuple line = (MiValue.Tuple) withSource.values().get(0);
        assertEquals("8", line.string("line").orElseThrow());
        MiValue.ValueList insns = (MiValue.ValueList) line.get("line_asm_insn").orElseThrow();
        assertEquals("49 3b 66 10", ((MiValue.Tuple) insns.values().get(0)).string("opcodes").orElseThrow());

        var memory = (MiValue.ValueList) MiTranscripts.result("disassemble.mi", 5).results()
                .get("memory").orElseThrow();
        assertEquals(128, ((MiValue.Tuple) memory.values().get(0)).string("contents").orElseThrow().length());
    }

    @Test
    void transcriptErrors() {
        var noSymbols = MiTranscripts.result("errors.mi", 1);
        assertEquals("error", noSymbols.resultClass());
        assertEquals("No symbol table is loaded.  Use the \"file\" command.", noSymbols.results().string("msg").orElseThrow());
        var undefined = MiTranscripts.result("errors.mi", 2);
        assertEquals("undefined-command", undefined.results().string("code").orElseThrow());
        assertEquals("\"/tmp/gdbrec/main.go\" is not a core dump: file format not recognized",
                MiTranscripts.result("errors.mi", 6).results().string("msg").orElseThrow());
        boolean logged = MiTranscripts.records("errors.mi").contains(
                new MiRecord.StreamRecord(MiRecord.StreamKind.LOG, "No registers.\n"));
        assertTrue(logged, "CLI errors are also printed on the log stream");
    }

    @Test
    void transcriptConsoleWithOctalEscapes() {
        assertEquals("héllo €\n", MiTranscripts.consoleBefore("console-octal.mi", 2));
        assertEquals("0x2008 \"héllo wörld € 😀 tab\\there \\\"quoted\\\" back\\\\slash \\001\\177\"",
                MiTranscripts.result("console-octal.mi", 3).results().string("value").orElseThrow());
        assertEquals("héllo wörld € 😀 tab\there \"quoted\" back\\slash \u0001\u007f\n",
                MiTranscripts.consoleBefore("console-octal.mi", 5));
        String functions = MiTranscripts.consoleBefore("console-octal.mi", 6);
        assertTrue(functions.contains("\nFile uni.c:\n2:\tint main(void);\n"), functions);
    }

    @Test
    void transcriptLiveRunStopped() {
        List<MiRecord> records = MiTranscripts.records("live-stopped.mi");
        List<MiRecord.AsyncRecord> stopped = records.stream()
                .filter(r -> r instanceof MiRecord.AsyncRecord a && a.kind() == MiRecord.AsyncKind.EXEC
                        && a.asyncClass().equals("stopped"))
                .map(MiRecord.AsyncRecord.class::cast)
                .toList();
        assertEquals(2, stopped.size());
        assertEquals("breakpoint-hit", stopped.get(0).results().string("reason").orElseThrow());
        MiValue.Tuple frame = (MiValue.Tuple) stopped.get(0).results().get("frame").orElseThrow();
        assertEquals("main.main", frame.string("func").orElseThrow());
        assertEquals("exited", stopped.get(1).results().string("reason").orElseThrow());
        assertEquals("02", stopped.get(1).results().string("exit-code").orElseThrow());

        assertEquals("running", MiTranscripts.result("live-stopped.mi", 4).resultClass());
        assertEquals(new MiValue.ValueList(List.of()),
                MiTranscripts.result("live-stopped.mi", 6).results().get("threads").orElseThrow());
        var bkpt = (MiValue.Tuple) MiTranscripts.result("live-stopped.mi", 3).results().get("bkpt").orElseThrow();
        assertEquals("main.main", bkpt.string("original-location").orElseThrow());
    }
}
