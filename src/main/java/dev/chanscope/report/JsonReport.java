package dev.chanscope.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.goruntime.PanicRecord;
import dev.chanscope.goruntime.Snapshot;
import java.util.List;

/**
 * The JSON report. The schema is written out field by field (not derived from the records) so
 * that it stays stable when the model changes; docs/json-schema.md describes it. Bump
 * {@link #SCHEMA_VERSION} on any incompatible change.
 */
public final class JsonReport {
    public static final int SCHEMA_VERSION = 1;

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What produced the snapshot. */
    public record Input(String core, String binary, List<String> layers) {}

    /**
     * @param maxFrames frames per goroutine to include (-1 for all)
     */
    public ObjectNode build(Snapshot s, Input input, boolean includeGoroutines, int maxFrames) {
        ObjectNode root = mapper.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("tool", "chanscope " + Version.current());
        ObjectNode in = root.putObject("input");
        in.put("core", input.core());
        in.put("binary", input.binary());
        ArrayNode layers = in.putArray("layers");
        input.layers().forEach(layers::add);
        root.put("goVersion", s.goVersion());
        root.put("layouts", s.layouts());
        root.put("partial", !s.warnings().isEmpty());
        s.panic().ifPresentOrElse(p -> root.set("panic", panic(p)), () -> root.putNull("panic"));
        s.channel().ifPresentOrElse(c -> root.set("channel", channel(c)), () -> root.putNull("channel"));
        root.put("goroutineCount", s.goroutines().size());
        if (includeGoroutines) {
            ArrayNode gs = root.putArray("goroutines");
            for (Goroutine g : s.goroutines()) {
                gs.add(goroutine(g, s, maxFrames));
            }
        }
        ArrayNode pan = root.putArray("panicking");
        long died = s.panic().map(p -> p.goroutineId()).orElse(0L);
        for (Goroutine g : s.goroutines()) {
            if (g.panicAddress() == 0 || g.status().kind() == dev.chanscope.goruntime.GoStatus.Kind.DEAD) {
                continue;
            }
            ObjectNode o = pan.addObject();
            o.put("goroutine", g.id());
            o.put("died", g.id() == died);
            DiagnosisText.userFrame(g).ifPresent(f -> {
                o.put("function", f.function());
                o.put("file", f.file());
                o.put("line", f.line());
            });
        }
        ArrayNode w = root.putArray("warnings");
        s.warnings().forEach(w::add);
        return root;
    }

    /** Adds the diagnosis to a report built by {@link #build}, right after the panic and channel. */
    public ObjectNode withDiagnosis(ObjectNode root, dev.chanscope.diagnose.Diagnosis d) {
        ObjectNode out = mapper.createObjectNode();
        root.fields().forEachRemaining(e -> {
            out.set(e.getKey(), e.getValue());
            if (e.getKey().equals("channel")) {
                out.set("diagnosis", new DiagnosisJson(mapper).build(d));
            }
        });
        return out;
    }

    public String toJson(ObjectNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode panic(PanicRecord p) {
        ObjectNode n = mapper.createObjectNode();
        n.put("kind", p.kind().id());
        n.put("message", p.message());
        n.put("goroutine", p.goroutineId());
        n.put("site", p.site().id());
        p.runtimeFrame().ifPresentOrElse(f -> n.set("runtimeFrame", frame(f)), () -> n.putNull("runtimeFrame"));
        p.userFrame().ifPresentOrElse(f -> n.set("userFrame", frame(f)), () -> n.putNull("userFrame"));
        ArrayNode chain = n.putArray("chain");
        for (PanicRecord.ChainEntry e : p.chain()) {
            ObjectNode c = chain.addObject();
            c.put("message", e.message());
            c.put("recovered", e.recovered());
            c.put("repanicked", e.repanicked());
            c.put("goexit", e.goexit());
        }
        return n;
    }

    private ObjectNode channel(Hchan c) {
        ObjectNode n = mapper.createObjectNode();
        n.put("address", hex(c.address()));
        n.put("elemType", c.elemType());
        n.put("elemSize", c.elemSize());
        n.put("capacity", c.capacity());
        n.put("buffered", c.buffered());
        n.put("closed", c.closed());
        ids(n.putArray("recvWaiters"), c.recvWaiters());
        ids(n.putArray("sendWaiters"), c.sendWaiters());
        ids(n.putArray("wokenSenders"), c.wokenSenders());
        ids(n.putArray("wokenReceivers"), c.wokenReceivers());
        ids(n.putArray("wokenSelects"), c.wokenSelects());
        n.put("foundBy", c.foundBy());
        return n;
    }

    private ObjectNode goroutine(Goroutine g, Snapshot s, int maxFrames) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", g.id());
        n.put("address", hex(g.address()));
        n.put("status", g.status().name());
        n.put("waitReason", g.waitReason());
        n.put("state", g.state());
        Long ch = s.waitingOn().get(g.id());
        if (ch != null) {
            n.put("waitingOn", hex(ch));
        } else {
            n.putNull("waitingOn");
        }
        if (g.threadLwp() >= 0) {
            n.put("thread", g.threadLwp());
        } else {
            n.putNull("thread");
        }
        n.put("lockedToThread", g.lockedToThread());
        g.createdBy().ifPresentOrElse(f -> n.set("createdBy", frame(f)), () -> n.putNull("createdBy"));
        n.put("parentId", g.parentId());
        n.put("startFunction", g.startFunction());
        n.put("stackSource", g.stackSource());
        ArrayNode frames = n.putArray("frames");
        int i = 0;
        for (Frame f : g.frames()) {
            if (maxFrames >= 0 && i++ >= maxFrames) {
                break;
            }
            frames.add(frame(f));
        }
        n.put("framesTotal", g.frames().size());
        g.stackError().ifPresent(e -> n.put("stackError", e));
        return n;
    }

    private ObjectNode frame(Frame f) {
        ObjectNode n = mapper.createObjectNode();
        n.put("function", f.function());
        n.put("file", f.file());
        n.put("line", f.line());
        n.put("pc", hex(f.pc()));
        n.put("inlined", f.inlined());
        return n;
    }

    private static void ids(ArrayNode a, List<Long> ids) {
        ids.forEach(a::add);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
