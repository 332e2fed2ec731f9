package dev.chanscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.chanscope.ByteStreamWriter;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.GoStatus;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.SharedFrames;
import dev.chanscope.goruntime.Snapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
 * costs gigabytes (issue 17). Callers that need a tree (attach, a batch line's head) get one
 * built by the same code ({@link #build}), so a field is added in one place, once; a batch line
 * streams its goroutine list with {@link #goroutineList}.
 */
public final class JsonReport {
    public static final int SCHEMA_VERSION = 1;

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPrettyPrinter(new DefaultPrettyPrinter().withObjectIndenter(new LineIndenter()));

    /**
     * Jackson's default object indenter (a line feed, two spaces a level), each level's bytes
     * made once: the default converts its characters to bytes on every line, 70 million lines
     * at 100,000 goroutines.
     */
    private static final class LineIndenter implements DefaultPrettyPrinter.Indenter {
        private final SerializedString[] levels = new SerializedString[32];

        @Override
        public void writeIndentation(JsonGenerator g, int level) throws IOException {
            if (level < levels.length) {
                SerializedString s = levels[level];
                if (s == null) {
                    s = new SerializedString("\n" + "  ".repeat(level));
                    levels[level] = s;
                }
                g.writeRaw(s);
            } else {
                g.writeRaw("\n" + "  ".repeat(level));
            }
        }

        @Override
        public boolean isInline() {
            return false;
        }
    }

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

    /**
     * Writes the report to {@code out} as it is produced, indented, then a line break. Onto a
     * {@link ByteStreamWriter} (the CLI's stdout) it is written as UTF-8 bytes, with no
     * character encoder in between.
     */
    public void print(PrintWriter out, Snapshot s, Input input, Options o) {
        if (out instanceof ByteStreamWriter b) {
            out.flush();
            OutputStream bytes = new BufferedOutputStream(b.bytes(), 1 << 16);
            try (JsonGenerator g = mapper.writer().createGenerator(bytes, JsonEncoding.UTF8)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                write(g, s, input, o);
                g.flush();
                bytes.write('\n');
                bytes.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
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
        goroutineList(g, s, o);
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

    /**
     * The {@code goroutines} (or {@code goroutineGroups}) field as {@link #write} writes it, or
     * nothing when the options leave the list out; batch lines stream it on its own.
     */
    public void goroutineList(JsonGenerator g, Snapshot s, Options o) throws IOException {
        // Raw copies, indented as ours or compact, but not into a TokenBuffer, whose tree would
        // keep them as opaque values.
        FrameText text = new FrameText(!(g instanceof TokenBuffer), g.getPrettyPrinter() != null);
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

    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString ADDRESS = new SerializedString("address");
    private static final SerializedString STATUS = new SerializedString("status");
    private static final SerializedString WAIT_REASON = new SerializedString("waitReason");
    private static final SerializedString STATE = new SerializedString("state");
    private static final SerializedString WAITING_ON = new SerializedString("waitingOn");
    private static final SerializedString THREAD = new SerializedString("thread");
    private static final SerializedString LOCKED = new SerializedString("lockedToThread");
    private static final SerializedString CREATED_BY = new SerializedString("createdBy");
    private static final SerializedString PARENT_ID = new SerializedString("parentId");
    private static final SerializedString START_FUNCTION = new SerializedString("startFunction");
    private static final SerializedString STACK_SOURCE = new SerializedString("stackSource");

    /** Field names pre-encoded and repeated values escaped once: this runs 100,000 times and more. */
    private static void goroutine(JsonGenerator g, Goroutine gr, Snapshot s, int maxFrames, FrameText text)
            throws IOException {
        g.writeStartObject();
        g.writeFieldName(ID);
        g.writeNumber(gr.id());
        g.writeFieldName(ADDRESS);
        g.writeString(hex(gr.address()));
        text.field(g, STATUS, gr.status().name());
        text.field(g, WAIT_REASON, gr.waitReason());
        text.field(g, STATE, gr.state());
        g.writeFieldName(WAITING_ON);
        Long ch = s.waitingOn().get(gr.id());
        if (ch != null) {
            g.writeString(hex(ch));
        } else {
            g.writeNull();
        }
        g.writeFieldName(THREAD);
        if (gr.threadLwp() >= 0) {
            g.writeNumber(gr.threadLwp());
        } else {
            g.writeNull();
        }
        g.writeFieldName(LOCKED);
        g.writeBoolean(gr.lockedToThread());
        g.writeFieldName(CREATED_BY);
        if (gr.createdBy().isPresent()) {
            text.write(g, gr.createdBy().get());
        } else {
            g.writeNull();
        }
        g.writeFieldName(PARENT_ID);
        g.writeNumber(gr.parentId());
        text.field(g, START_FUNCTION, gr.startFunction());
        text.field(g, STACK_SOURCE, gr.stackSource());
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
        optionalFrame(g, "createdBy", r.createdBy(), text);
        g.writeStringField("startFunction", r.startFunction());
        frames(g, r, maxFrames, text);
        g.writeEndObject();
    }

    private static final SerializedString FRAMES = new SerializedString("frames");

    private static void frames(JsonGenerator g, Goroutine gr, int maxFrames, FrameText text) throws IOException {
        if (text.listed(g, gr.frames(), maxFrames)) {
            g.writeNumberField("framesTotal", gr.frames().size());
            return;
        }
        g.writeArrayFieldStart("frames");
        writeFrames(g, gr.frames(), maxFrames, text);
        g.writeEndArray();
        g.writeNumberField("framesTotal", gr.frames().size());
    }

    private static void writeFrames(JsonGenerator g, List<Frame> frames, int maxFrames, FrameText text)
            throws IOException {
        int i = 0;
        for (Frame f : frames) {
            if (maxFrames >= 0 && i++ >= maxFrames) {
                break;
            }
            text.write(g, f);
        }
    }

    /**
     * Each frame's whole text made once and copied as raw bytes: goroutines parked at the same
     * call share their {@link Frame} objects, and at 100,000 goroutines escaping and indenting
     * the same frames again was most of the JSON's cost (issue 17). The text is what
     * {@link #frame} writes at the depth a goroutine's frames (and its {@code createdBy}) sit
     * in the report, two objects deep, or compact (batch lines), so the output is byte for byte
     * the same. It assumes the report's own generators: this mapper's indentation, or none.
     */
    private final class FrameText {
        private final Map<Frame, SerializedString> byFrame = new IdentityHashMap<>();
        private final boolean raw;
        private final boolean indented;
        private final Map<String, SerializedString> values = new java.util.HashMap<>();
        /** Whole frame lists by {@link SharedFrames#sharingKey}: null once seen, the text from the second time. */
        private final Map<Object, SerializedString> lists = new java.util.HashMap<>();
        private long listBytes;

        FrameText(boolean raw, boolean indented) {
            this.raw = raw;
            this.indented = indented;
        }

        void write(JsonGenerator g, Frame f) throws IOException {
            if (!raw) {
                frame(g, f);
                return;
            }
            SerializedString t = byFrame.get(f);
            if (t == null) {
                t = new SerializedString(valueText(v -> frame(v, f)));
                byFrame.put(f, t);
            }
            g.writeRawValue(t);
        }

        /**
         * Writes the {@code frames} field as one copied text when this list of frames was seen
         * before (goroutines parked at the same calls), and says whether it did. A list seen
         * once is only remembered (unique stacks cost no text); the texts are bounded to 64 MB.
         */
        boolean listed(JsonGenerator g, List<Frame> frames, int maxFrames) throws IOException {
            if (!raw || !(frames instanceof SharedFrames shared)) {
                return false;
            }
            Object key = shared.sharingKey();
            if (!lists.containsKey(key)) {
                if (lists.size() < 1_000_000) {
                    lists.put(key, null);
                }
                return false;
            }
            SerializedString t = lists.get(key);
            if (t == null) {
                if (listBytes > (64L << 20)) {
                    return false;
                }
                FrameText plain = new FrameText(false, indented);
                t = new SerializedString(valueText(v -> {
                    v.writeStartArray();
                    writeFrames(v, frames, maxFrames, plain);
                    v.writeEndArray();
                }));
                listBytes += t.charLength();
                lists.put(key, t);
            }
            g.writeFieldName(FRAMES);
            g.writeRawValue(t);
            return true;
        }

        /** A string field whose values repeat (states, wait reasons, start functions). */
        void field(JsonGenerator g, SerializedString name, String value) throws IOException {
            g.writeFieldName(name);
            if (value == null || !raw) {
                g.writeString(value);
                return;
            }
            SerializedString v = values.get(value);
            if (v == null) {
                v = new SerializedString(value);
                if (values.size() < 10_000) { // bounded, whatever the input holds
                    values.put(value, v);
                }
            }
            g.writeString(v);
        }

        /**
         * The text {@code value} writes as a field value of a goroutine (two objects deep), as
         * the report's generator would write it there: indented as ours, or compact.
         */
        private String valueText(ValueWriter value) throws IOException {
            java.io.StringWriter w = new java.io.StringWriter();
            try (JsonGenerator g = indented ? mapper.writer().createGenerator(w) : mapper.getFactory().createGenerator(w)) {
                g.writeStartObject();
                g.writeFieldName("goroutines");
                g.writeStartObject();
                g.writeFieldName("value");
                g.flush();
                int from = w.getBuffer().length();
                value.write(g);
                g.flush();
                String text = w.getBuffer().substring(from); // the separator (" : " or ":"), then the value
                int start = 0;
                while (text.charAt(start) != '{' && text.charAt(start) != '[') {
                    start++;
                }
                return text.substring(start);
            }
        }
    }

    @FunctionalInterface
    private interface ValueWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private static void optionalFrame(JsonGenerator g, String name, Optional<Frame> f) throws IOException {
        g.writeFieldName(name);
        if (f.isPresent()) {
            frame(g, f.get());
        } else {
            g.writeNull();
        }
    }

    private static void optionalFrame(JsonGenerator g, String name, Optional<Frame> f, FrameText text)
            throws IOException {
        g.writeFieldName(name);
        if (f.isPresent()) {
            text.write(g, f.get());
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
