package dev.chanscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON report. The schema is written out field by field (not derived from the records) so
 * that it stays stable when the model changes; docs/json-schema.md describes it. Bump
 * {@link #SCHEMA_VERSION} on any incompatible change.
 *
 * <p>Everything is written through one streaming {@link JsonGenerator} as it is produced
 * ({@link #print}): at a million goroutines a tree of nodes, or the document as one string,
 * costs gigabytes (issue 17). Callers that need a tree (batch lines, attach) get one built by
 * the same code ({@link #build}), so a field is added in one place, once.
 */
public final class JsonReport {
    public static final int SCHEMA_VERSION = 1;

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What produced the snapshot. */
    public record Input(String core, String binary, List<String> layers) {}

    /**
     * What the report holds besides the snapshot.
     *
     * @param goroutines include the goroutine list
     * @param maxFrames  frames per goroutine to include (-1 for all)
     * @param diagnosis  written right after the channel
     * @param notes      acquisition's notes, as {@code input.notes} (absent: no such field)
     * @param listed     which goroutines the list shows ({@code goroutineCount} counts them all)
     * @param grouped    list {@code goroutineGroups} (identical stacks once, {@link StackGroups})
     *                   instead of {@code goroutines}
     */
    public record Options(boolean goroutines, int maxFrames, Optional<Diagnosis> diagnosis,
                          Optional<List<String>> notes, GoroutineFilter listed, boolean grouped) {
        /** Every goroutine with all its frames, no diagnosis, no notes. */
        public static Options full() {
            return new Options(true, -1, Optional.empty(), Optional.empty(), GoroutineFilter.ALL, false);
        }

        public Options withGoroutines(boolean include, int frames) {
            return new Options(include, frames, diagnosis, notes, listed, grouped);
        }

        public Options withDiagnosis(Optional<Diagnosis> d) {
            return new Options(goroutines, maxFrames, d, notes, listed, grouped);
        }

        public Options withNotes(List<String> n) {
            return new Options(goroutines, maxFrames, diagnosis, Optional.of(List.copyOf(n)), listed, grouped);
        }

        public Options listing(GoroutineFilter f, boolean group) {
            return new Options(goroutines, maxFrames, diagnosis, notes, f, group);
        }
    }

    /** Writes the report to {@code out} as it is produced, indented, then a line break. */
    public void print(PrintWriter out, Snapshot s, Input input, Options o) {
        try (JsonGenerator g = mapper.writer().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            write(g, s, input, o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
        out.flush();
    }

    /** The report as a tree, for callers that add to it (attach) or reshape it (batch). */
    public ObjectNode build(Snapshot s, Input input, Options o) {
        try (TokenBuffer tb = new TokenBuffer(mapper, false)) {
            write(tb, s, input, o);
            return (ObjectNode) mapper.readTree(tb.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param maxFrames frames per goroutine to include (-1 for all)
     */
    public ObjectNode build(Snapshot s, Input input, boolean includeGoroutines, int maxFrames) {
        return build(s, input, Options.full().withGoroutines(includeGoroutines, maxFrames));
    }

    /** Adds the diagnosis to a report built by {@link #build}, right after the panic and channel. */
    public ObjectNode withDiagnosis(ObjectNode root, Diagnosis d) {
        ObjectNode out = mapper.createObjectNode();
        root.fields().forEachRemaining(e -> {
            out.set(e.getKey(), e.getValue());
            if (e.getKey().equals("channel")) {
                out.set("diagnosis", new DiagnosisJson(mapper).build(d));
            }
        });
        return out;
    }

    public String toJson(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The whole report, field by field, in the order of docs/json-schema.md. */
    public void write(JsonGenerator g, Snapshot s, Input input, Options o) throws IOException {
        g.writeStartObject();
        g.writeNumberField("schemaVersion", SCHEMA_VERSION);
        g.writeStringField("tool", "chanscope " + Version.current());
        g.writeObjectFieldStart("input");
        g.writeStringField("core", input.core());
        g.writeStringField("binary", input.binary());
        strings(g, "layers", input.layers());
        if (o.notes().isPresent()) {
            strings(g, "notes", o.notes().get());
        }
        g.writeEndObject();
        g.writeStringField("goVersion", s.goVersion());
        g.writeStringField("layouts", s.layouts());
        g.writeBooleanField("partial", !s.warnings().isEmpty());
        g.writeFieldName("panic");
        if (s.panic().isPresent()) {
            panic(g, s.panic().get());
        } else {
            g.writeNull();
        }
        g.writeFieldName("channel");
        if (s.channel().isPresent()) {
            channel(g, s.channel().get());
        } else {
            g.writeNull();
        }
        if (o.diagnosis().isPresent()) {
            g.writeFieldName("diagnosis");
            g.writeTree(new DiagnosisJson(mapper).build(o.diagnosis().get()));
        }
        g.writeNumberField("goroutineCount", s.goroutines().size());
        FrameText text = new FrameText();
        if (o.goroutines() && o.grouped()) {
            g.writeArrayFieldStart("goroutineGroups");
            for (StackGroups.Group gr : StackGroups.of(s, o.listed())) {
                group(g, gr, o.maxFrames(), text);
            }
            g.writeEndArray();
        } else if (o.goroutines()) {
            g.writeArrayFieldStart("goroutines");
            for (Goroutine gr : s.goroutines()) {
                if (o.listed().test(gr, s)) {
                    goroutine(g, gr, s, o.maxFrames(), text);
                }
            }
            g.writeEndArray();
        }
        g.writeArrayFieldStart("panicking");
        long died = s.panic().map(PanicRecord::goroutineId).orElse(0L);
        for (Goroutine gr : s.goroutines()) {
            if (gr.panicAddress() == 0 || gr.status().kind() == GoStatus.Kind.DEAD) {
                continue;
            }
            g.writeStartObject();
            g.writeNumberField("goroutine", gr.id());
            g.writeBooleanField("died", gr.id() == died);
            Optional<Frame> f = DiagnosisText.userFrame(gr);
            if (f.isPresent()) {
                g.writeStringField("function", f.get().function());
                g.writeStringField("file", f.get().file());
                g.writeNumberField("line", f.get().line());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        strings(g, "warnings", s.warnings());
        g.writeEndObject();
    }

    private static void panic(JsonGenerator g, PanicRecord p) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", p.kind().id());
        g.writeStringField("message", p.message());
        g.writeNumberField("goroutine", p.goroutineId());
        g.writeStringField("site", p.site().id());
        optionalFrame(g, "runtimeFrame", p.runtimeFrame());
        optionalFrame(g, "userFrame", p.userFrame());
        g.writeArrayFieldStart("chain");
        for (PanicRecord.ChainEntry e : p.chain()) {
            g.writeStartObject();
            g.writeStringField("message", e.message());
            g.writeBooleanField("recovered", e.recovered());
            g.writeBooleanField("repanicked", e.repanicked());
            g.writeBooleanField("goexit", e.goexit());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void channel(JsonGenerator g, Hchan c) throws IOException {
        g.writeStartObject();
        g.writeStringField("address", hex(c.address()));
        g.writeStringField("elemType", c.elemType());
        g.writeNumberField("elemSize", c.elemSize());
        g.writeNumberField("capacity", c.capacity());
        g.writeNumberField("buffered", c.buffered());
        g.writeBooleanField("closed", c.closed());
        ids(g, "recvWaiters", c.recvWaiters());
        ids(g, "sendWaiters", c.sendWaiters());
        ids(g, "wokenSenders", c.wokenSenders());
        ids(g, "wokenReceivers", c.wokenReceivers());
        ids(g, "wokenSelects", c.wokenSelects());
        g.writeStringField("foundBy", c.foundBy());
        g.writeEndObject();
    }

    private static void goroutine(JsonGenerator g, Goroutine gr, Snapshot s, int maxFrames, FrameText text)
            throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", gr.id());
        g.writeStringField("address", hex(gr.address()));
        g.writeStringField("status", gr.status().name());
        g.writeStringField("waitReason", gr.waitReason());
        g.writeStringField("state", gr.state());
        Long ch = s.waitingOn().get(gr.id());
        if (ch != null) {
            g.writeStringField("waitingOn", hex(ch));
        } else {
            g.writeNullField("waitingOn");
        }
        if (gr.threadLwp() >= 0) {
            g.writeNumberField("thread", gr.threadLwp());
        } else {
            g.writeNullField("thread");
        }
        g.writeBooleanField("lockedToThread", gr.lockedToThread());
        optionalFrame(g, "createdBy", gr.createdBy());
        g.writeNumberField("parentId", gr.parentId());
        g.writeStringField("startFunction", gr.startFunction());
        g.writeStringField("stackSource", gr.stackSource());
        frames(g, gr, maxFrames, text);
        if (gr.stackError().isPresent()) {
            g.writeStringField("stackError", gr.stackError().get());
        }
        if (gr.framesCut()) {
            g.writeBooleanField("framesCut", true);
        }
        g.writeEndObject();
    }

    private static void group(JsonGenerator g, StackGroups.Group gr, int maxFrames, FrameText text) throws IOException {
        Goroutine r = gr.representative();
        g.writeStartObject();
        g.writeNumberField("count", gr.count());
        g.writeArrayFieldStart("ids");
        for (int i = 0; i < gr.count(); i++) {
            g.writeNumber(gr.ids()[i]);
        }
        g.writeEndArray();
        g.writeStringField("status", r.status().name());
        g.writeStringField("waitReason", r.waitReason());
        g.writeStringField("state", r.state());
        optionalFrame(g, "createdBy", r.createdBy());
        g.writeStringField("startFunction", r.startFunction());
        frames(g, r, maxFrames, text);
        g.writeEndObject();
    }

    private static void frames(JsonGenerator g, Goroutine gr, int maxFrames, FrameText text) throws IOException {
        g.writeArrayFieldStart("frames");
        int i = 0;
        for (Frame f : gr.frames()) {
            if (maxFrames >= 0 && i++ >= maxFrames) {
                break;
            }
            text.write(g, f);
        }
        g.writeEndArray();
        g.writeNumberField("framesTotal", gr.frames().size());
    }

    /**
     * A frame's strings escaped once and reused: goroutines parked at the same call share their
     * {@link Frame} objects, and at 100,000 goroutines escaping and copying the same function and
     * file names was most of the JSON's cost. Same bytes as {@link #frame}.
     */
    private static final class FrameText {
        private static final SerializedString FUNCTION = new SerializedString("function");
        private static final SerializedString FILE = new SerializedString("file");
        private static final SerializedString LINE = new SerializedString("line");
        private static final SerializedString PC = new SerializedString("pc");
        private static final SerializedString INLINED = new SerializedString("inlined");

        private record Text(SerializedString function, SerializedString file, SerializedString pc) {}

        private final Map<Frame, Text> byFrame = new IdentityHashMap<>();

        void write(JsonGenerator g, Frame f) throws IOException {
            Text t = byFrame.computeIfAbsent(f, x -> new Text(new SerializedString(x.function()),
                    new SerializedString(x.file()), new SerializedString(hex(x.pc()))));
            g.writeStartObject();
            g.writeFieldName(FUNCTION);
            g.writeString(t.function());
            g.writeFieldName(FILE);
            g.writeString(t.file());
            g.writeFieldName(LINE);
            g.writeNumber(f.line());
            g.writeFieldName(PC);
            g.writeString(t.pc());
            g.writeFieldName(INLINED);
            g.writeBoolean(f.inlined());
            g.writeEndObject();
        }
    }

    private static void optionalFrame(JsonGenerator g, String name, Optional<Frame> f) throws IOException {
        g.writeFieldName(name);
        if (f.isPresent()) {
            frame(g, f.get());
        } else {
            g.writeNull();
        }
    }

    static void frame(JsonGenerator g, Frame f) throws IOException {
        g.writeStartObject();
        g.writeStringField("function", f.function());
        g.writeStringField("file", f.file());
        g.writeNumberField("line", f.line());
        g.writeStringField("pc", hex(f.pc()));
        g.writeBooleanField("inlined", f.inlined());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void ids(JsonGenerator g, String name, List<Long> ids) throws IOException {
        g.writeArrayFieldStart(name);
        for (long id : ids) {
            g.writeNumber(id);
        }
        g.writeEndArray();
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
