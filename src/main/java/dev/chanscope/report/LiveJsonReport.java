package dev.chanscope.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.goruntime.BlockedChannel;
import dev.chanscope.goruntime.BlockedClosedChannel;
import dev.chanscope.goruntime.BlockedHolder;
import dev.chanscope.goruntime.BlockedView;
import dev.chanscope.goruntime.BlockedWaiter;
import dev.chanscope.goruntime.Hchan;
import dev.chanscope.goruntime.Snapshot;
import java.util.Optional;

/**
 * The JSON of {@code chanscope attach}: the {@code analyze} report unchanged (same schema
 * version, same fields; {@code input.core} is "process PID") plus one object, {@code live},
 * described in docs/attach.md.
 */
public final class LiveJsonReport {
    private final ObjectMapper mapper = new ObjectMapper();

    public ObjectNode build(Snapshot s, BlockedView v, LiveFacts f, JsonReport.Input in, Optional<Diagnosis> d) {
        JsonReport base = new JsonReport();
        ObjectNode root = base.build(s, in, true, -1);
        if (d.isPresent()) {
            root = base.withDiagnosis(root, d.get());
        }
        root.set("live", live(v, f));
        return root;
    }

    private ObjectNode live(BlockedView v, LiveFacts f) {
        ObjectNode n = mapper.createObjectNode();
        n.put("pid", f.pid());
        n.put("name", f.name());
        n.put("binary", f.binary());
        n.put("commandLine", f.commandLine());
        n.put("stateBefore", f.stateBefore());
        n.put("stateAfter", f.stateAfter());
        n.put("stoppedBefore", f.stoppedBefore());
        n.put("restored", f.restored());
        n.put("pausedMillis", Math.round(f.pausedNanos() / 1e4) / 100.0);
        ArrayNode restore = n.putArray("restoreSignals");
        f.restore().forEach(restore::add);
        n.put("memoryPath", f.memoryPath());
        if (f.selfStoppingThread().isPresent()) {
            n.put("selfStoppingThread", f.selfStoppingThread().getAsInt());
        } else {
            n.putNull("selfStoppingThread");
        }
        if (v.now().isPresent()) {
            n.put("nanotime", v.now().getAsLong());
        } else {
            n.putNull("nanotime");
        }
        f.snapshot().ifPresentOrElse(sn -> {
            ObjectNode o = n.putObject("snapshot");
            o.put("path", sn.path());
            o.put("format", sn.format());
            o.put("bytes", sn.bytes());
            o.put("coreBytes", sn.coreBytes());
            o.put("writeMillis", Math.round(sn.writeNanos() / 1e4) / 100.0);
        }, () -> n.putNull("snapshot"));
        ArrayNode chans = n.putArray("blockedChannels");
        for (BlockedChannel c : v.channels()) {
            ObjectNode o = channel(c.channel());
            ArrayNode ws = o.putArray("waiters");
            c.waiters().forEach(w -> ws.add(waiter(w)));
            chans.add(o);
        }
        ArrayNode forever = n.putArray("blockedForever");
        v.forever().forEach(w -> forever.add(waiter(w)));
        ArrayNode held = n.putArray("closedHeld");
        for (BlockedClosedChannel c : v.closedHeld()) {
            ObjectNode o = channel(c.channel());
            ArrayNode hs = o.putArray("holders");
            for (BlockedHolder h : c.holders()) {
                ObjectNode ho = hs.addObject();
                ho.put("goroutine", h.goroutine());
                ho.put("state", h.state());
                ho.put("function", h.function());
                ho.put("via", h.via());
                ho.put("couldSend", h.couldSend());
                ArrayNode senders = ho.putArray("senders");
                h.senders().forEach(senders::add);
            }
            held.add(o);
        }
        ArrayNode w = n.putArray("warnings");
        v.warnings().forEach(w::add);
        return n;
    }

    private ObjectNode channel(Hchan h) {
        ObjectNode o = mapper.createObjectNode();
        o.put("address", JsonReport.hex(h.address()));
        o.put("elemType", h.elemType());
        o.put("elemSize", h.elemSize());
        o.put("capacity", h.capacity());
        o.put("buffered", h.buffered());
        o.put("closed", h.closed());
        ArrayNode r = o.putArray("recvWaiters");
        h.recvWaiters().forEach(r::add);
        ArrayNode sq = o.putArray("sendWaiters");
        h.sendWaiters().forEach(sq::add);
        ArrayNode ws = o.putArray("wokenSenders");
        h.wokenSenders().forEach(ws::add);
        ArrayNode wr = o.putArray("wokenReceivers");
        h.wokenReceivers().forEach(wr::add);
        ArrayNode wsel = o.putArray("wokenSelects");
        h.wokenSelects().forEach(wsel::add);
        return o;
    }

    private ObjectNode waiter(BlockedWaiter w) {
        ObjectNode o = mapper.createObjectNode();
        o.put("goroutine", w.goroutine());
        o.put("operation", w.operation());
        o.put("select", w.select());
        o.put("state", w.state());
        o.put("waitSince", w.waitSince());
        if (w.blockedFor().isPresent()) {
            o.put("blockedForSeconds", Math.round(w.blockedFor().getAsLong() / 1e6) / 1000.0);
        } else {
            o.putNull("blockedForSeconds");
        }
        w.at().ifPresentOrElse(fr -> {
            ObjectNode at = o.putObject("at");
            at.put("function", fr.function());
            at.put("file", fr.file());
            at.put("line", fr.line());
        }, () -> o.putNull("at"));
        return o;
    }
}
