package dev.chanscope.batch;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.report.JsonReport;
import dev.chanscope.report.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * One line of the batch output: the analyze report (docs/json-schema.md) with {@code status},
 * {@code error}, {@code exitCode}, {@code elapsedMs} and {@code input.sha256} added, or, for a
 * core that could not be analyzed, just those fields and {@code input}. Written compact, one
 * object per line (JSON Lines), straight into the line's UTF-8 bytes.
 *
 * @param bytes   the line in UTF-8, with its newline (in a temporary file past
 *                {@link #SPILL_ABOVE}: at 1,000,000 goroutines a line is 2.3 GB)
 * @param outcome what the summary keeps of it
 */
public record BatchLine(LineBytes bytes, CoreOutcome outcome) {
    /** Lines above this are made in a temporary file, not in memory. */
    public static final long SPILL_ABOVE = 256L << 20;

    private static final ObjectMapper COMPACT = new ObjectMapper();

    /** The line as text, without its newline. */
    public String json() {
        return bytes.text();
    }

    /** A core that was analyzed: {@code core} is what {@code analyze --json} prints. */
    public static BatchLine analyzed(CoreReport core, String sha256, long elapsedMs) {
        return analyzed(core, sha256, elapsedMs, SPILL_ABOVE);
    }

    static BatchLine analyzed(CoreReport core, String sha256, long elapsedMs, long spillAbove) {
        ObjectNode report = core.head();
        boolean partial = report.path("partial").asBoolean(false);
        ObjectNode line = head(partial ? Status.PARTIAL : Status.OK, Optional.empty(), partial ? 1 : 0, elapsedMs);
        for (Map.Entry<String, JsonNode> e : report.properties()) {
            switch (e.getKey()) {
                case "schemaVersion", "tool" -> { } // already at the head
                case "input" -> {
                    ObjectNode in = ((ObjectNode) e.getValue()).deepCopy();
                    in.put("sha256", sha256);
                    line.set("input", in);
                }
                default -> line.set(e.getKey(), e.getValue());
            }
        }
        return of(line, core.goroutines(), spillAbove);
    }

    /**
     * A core that was not analyzed.
     *
     * @param sha256   empty when the file could not even be read
     * @param exitCode what {@code analyze} would have exited with; empty for a timeout
     */
    public static BatchLine failed(Status status, String core, Optional<String> sha256, String error,
                                   Optional<Integer> exitCode, long elapsedMs) {
        if (status.analyzed()) {
            throw new IllegalArgumentException(status + " is not a failure");
        }
        ObjectNode line = head(status, Optional.of(oneLine(error)), exitCode.orElse(null), elapsedMs);
        ObjectNode in = line.putObject("input");
        in.put("core", core);
        in.putNull("binary");
        in.putArray("layers");
        sha256.ifPresentOrElse(s -> in.put("sha256", s), () -> in.putNull("sha256"));
        return of(line, Optional.empty(), SPILL_ABOVE);
    }

    /** A file that is not a core: one line saying so, and why (no analysis, no hash). */
    public static BatchLine skipped(String core, String reason) {
        ObjectNode line = head(Status.SKIPPED, Optional.empty(), null, 0);
        line.put("skipped", oneLine(reason));
        ObjectNode in = line.putObject("input");
        in.put("core", core);
        in.putNull("binary");
        in.putArray("layers");
        in.putNull("sha256");
        return of(line, Optional.empty(), SPILL_ABOVE);
    }

    private static ObjectNode head(Status status, Optional<String> error, Integer exitCode, long elapsedMs) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("schemaVersion", JsonReport.SCHEMA_VERSION);
        line.put("tool", "chanscope " + Version.current());
        line.put("status", status.id());
        error.ifPresentOrElse(e -> line.put("error", e), () -> line.putNull("error"));
        if (exitCode != null) {
            line.put("exitCode", exitCode);
        } else {
            line.putNull("exitCode");
        }
        line.put("elapsedMs", elapsedMs);
        return line;
    }

    /** The line's fields in order, with the goroutine list, when there is one, after goroutineCount. */
    private static BatchLine of(ObjectNode line, Optional<CoreReport.ListWriter> goroutines, long spillAbove) {
        LineBuffer buf = new LineBuffer(spillAbove);
        boolean done = false;
        // Jackson escapes line breaks inside strings, so the object is one line.
        try (JsonGenerator g = COMPACT.createGenerator(buf, JsonEncoding.UTF8)) {
            g.writeStartObject();
            boolean listed = goroutines.isEmpty();
            for (Map.Entry<String, JsonNode> e : line.properties()) {
                g.writeFieldName(e.getKey());
                g.writeTree(e.getValue());
                if (!listed && e.getKey().equals("goroutineCount")) {
                    goroutines.get().write(g);
                    listed = true;
                }
            }
            if (!listed) {
                goroutines.get().write(g);
            }
            g.writeEndObject();
            g.flush();
            buf.write('\n');
            BatchLine made = new BatchLine(buf.done(), CoreOutcome.of(line));
            done = true;
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the line (" + e.getMessage() + ")", e);
        } finally {
            if (!done) {
                buf.abandon();
            }
        }
    }

    /** Messages are one line by convention; a stray line break would still make a second line of the table. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
