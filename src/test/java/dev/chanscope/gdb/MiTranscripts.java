package dev.chanscope.gdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/** Recorded gdb 13.1 output in src/test/resources/gdb/, see README there. */
final class MiTranscripts {
    static final List<String> ALL = List.of(
            "load-go-binary.mi", "core-threads.mi", "registers.mi", "disassemble.mi",
            "errors.mi", "console-octal.mi", "live-stopped.mi");

    private MiTranscripts() {
    }

    static List<String> lines(String name) {
        try (InputStream in = MiTranscripts.class.getResourceAsStream("/gdb/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /gdb/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<MiRecord> records(String name) {
        return lines(name).stream().map(MiParser::parse).toList();
    }

    /** The result record answering {@code token}. */
    static MiRecord.ResultRecord result(String name, long token) {
        return records(name).stream()
                .filter(MiRecord.ResultRecord.class::isInstance)
                .map(MiRecord.ResultRecord.class::cast)
                .filter(r -> r.token().equals(OptionalLong.of(token)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no result for token " + token + " in " + name));
    }

    /** Console text printed before the result for {@code token} (after the previous result). */
    static String consoleBefore(String name, long token) {
        StringBuilder text = new StringBuilder();
        for (MiRecord record : records(name)) {
            if (record instanceof MiRecord.ResultRecord r) {
                if (r.token().equals(OptionalLong.of(token))) {
                    return text.toString();
                }
                text.setLength(0);
            } else if (record instanceof MiRecord.StreamRecord s && s.kind() == MiRecord.StreamKind.CONSOLE) {
                text.append(s.text());
            }
        }
        throw new AssertionError("no result for token " + token + " in " + name);
    }
}
