package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.binary.ChannelOperand.Captured;
import dev.chanscope.binary.ChannelOperand.Field;
import dev.chanscope.binary.ChannelOperand.Param;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The channel operand of the truth closers and senders of the sample binaries (both Go
 * versions), against what the fixture's source (src/test/go/NAME/main.go) says each one
 * closes or sends on. Field offsets are the fixtures' struct layouts, read with
 * {@code gdb -batch -ex "set language c" -ex "ptype/o struct 'main.watcher'" BINARY} on the
 * sample binaries (the same in 1.22.12 and 1.26.8).
 */
class ChannelOperandSamplesTest {
    // main.watcher {id int64 @0; key []byte @8; ch chan WatchResponse @32}
    private static final long WATCHER_CH = 0x20;
    // main.Collector {targets []string @0; results chan Sample @24; progress chan struct{} @32; ...}
    private static final long COLLECTOR_RESULTS = 0x18, COLLECTOR_PROGRESS = 0x20;
    // main.Conn {nc net.Conn @0; closed chan struct{} @16; ...}; main.Client {conn *Conn @0; wg @8}
    private static final long CONN_CLOSED = 0x10, CLIENT_CONN = 0;
    // main.Pool[main.Revision] {workCh chan task[T] @0; wg @8; ...}
    private static final long POOL_WORKCH = 0;
    // main.serverStream {id uint32 @0; method string @8; writes chan frame @24}
    private static final long STREAM_WRITES = 0x18;
    // main.container {id string @0; copier *Copier @16; exited chan int @24};
    // main.Copier {id string @0; dst @16; lines @24; closed chan struct{} @32; copyWG @40}
    private static final long CONTAINER_COPIER = 0x10, COPIER_CLOSED = 0x20;
    // main.worker {mu @0; mining int32 @8; quit chan struct{} @16; ...}; main.txPool {quit @0};
    // main.Node {services []Service @0; stop chan struct{} @24}
    private static final long WORKER_QUIT = 0x10, TXPOOL_QUIT = 0, NODE_STOP = 0x18;

    private static final Map<String, ScannedBinary> SCANS = new ConcurrentHashMap<>();

    static Stream<String> goVersions() {
        return SampleCores.goVersions().stream();
    }

    private static ScannedBinary scan(String goVersion, String name) {
        return SCANS.computeIfAbsent(goVersion + "/" + name, k -> {
            try (ElfFile exe = ElfFile.open(SampleCores.get(goVersion, name).binary())) {
                return BinaryScanner.scan(exe);
            }
        });
    }

    /** The operand of the one site of {@code op} at the line, written in {@code source} and compiled into {@code physical}. */
    private static ChannelOperand operand(ScannedBinary b, ChannelOp op, String source, int line, String physical) {
        List<CallSite> l = b.sites(op).stream().filter(s -> s.source().function().equals(source)
                && s.source().line() == line && s.physical().equals(physical)).toList();
        assertEquals(1, l.size(), op + " " + source + ":" + line + " in " + physical + ": " + l);
        Optional<ChannelOperand> o = b.channelOperand(l.get(0));
        assertTrue(o.isPresent(), "no operand for " + l.get(0));
        return o.get();
    }

    private static ChannelOperand operand(ScannedBinary b, ChannelOp op, String function, int line) {
        return operand(b, op, function, line, function);
    }

    private static Param receiver(String function, String type) {
        return new Param(0, function, Optional.of(type));
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void selectCloseSend(String v) {
        ScannedBinary b = scan(v, "select-close-send");
        String send = "main.(*watcher).send";
        // close(w.ch) at main.go:52 and the select's send case w.ch <- wr at main.go:48.
        Field wch = new Field(receiver(send, "main.watcher"), WATCHER_CH);
        assertEquals(wch, operand(b, ChannelOp.CLOSE, send, 52));
        assertEquals(wch, operand(b, ChannelOp.SELECT, send, 48));
        CallSite sel = b.sites(ChannelOp.SELECT).stream().filter(s -> s.source().line() == 48).findFirst().orElseThrow();
        assertEquals(List.of(wch), b.selectSendOperands(sel));
        // close(stalled) in clientStream(w *watcher, stalled chan<- struct{}): the second argument register.
        assertEquals(new Param(1, "main.clientStream", Optional.empty()),
                operand(b, ChannelOp.CLOSE, "main.clientStream", 115));
        // A select with receive cases only has no send operands (progressNotify, main.go:79).
        CallSite recvOnly = b.sites(ChannelOp.SELECT).stream().filter(s -> s.source().line() == 79).findFirst().orElseThrow();
        assertEquals(List.of(), b.selectSendOperands(recvOnly));
        assertEquals(Optional.empty(), b.channelOperand(recvOnly));
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void multiCloserTwoClosersOfTheSameFieldAndAnotherField(String v) {
        ScannedBinary b = scan(v, "multi-closer");
        for (var closer : Map.of("main.(*Collector).watchdog", 121, "main.(*Collector).serveAdmin", 132).entrySet()) {
            assertEquals(new Field(receiver(closer.getKey(), "main.Collector"), COLLECTOR_RESULTS),
                    operand(b, ChannelOp.CLOSE, closer.getKey(), closer.getValue()));
        }
        String loop = "main.(*Collector).scrapeLoop";
        ChannelOperand sent = operand(b, ChannelOp.SEND, loop, 92);
        assertEquals(new Field(receiver(loop, "main.Collector"), COLLECTOR_RESULTS), sent);
        // select { case c.progress <- struct{}{}: default: } in aggregate: another field.
        String agg = "main.(*Collector).aggregate";
        assertEquals(new Field(receiver(agg, "main.Collector"), COLLECTOR_PROGRESS),
                operand(b, ChannelOp.SELECT_NB_SEND, agg, 106));
        assertEquals(Optional.of(new ChannelOperand.FieldChain("main.Collector", List.of(COLLECTOR_RESULTS))),
                sent.fieldChain());
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void doubleCloseInlinedIntoTwoMethodsOfTwoTypes(String v) {
        ScannedBinary b = scan(v, "double-close");
        String close = "main.(*Conn).Close";
        // Close is inlined into readLoop (receiver c *Conn) and into Client.Shutdown (cl.conn.Close()):
        // the parameters are the physical functions'.
        String read = "main.(*Conn).readLoop";
        assertEquals(new Field(receiver(read, "main.Conn"), CONN_CLOSED), operand(b, ChannelOp.CLOSE, close, 44, read));
        String shut = "main.(*Client).Shutdown";
        assertEquals(new Field(new Field(receiver(shut, "main.Client"), CLIENT_CONN), CONN_CLOSED),
                operand(b, ChannelOp.CLOSE, close, 44, shut));
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void prematureCloseInAGenericMethod(String v) {
        ScannedBinary b = scan(v, "premature-close");
        CallSite wait = b.sites(ChannelOp.CLOSE).stream().filter(s -> s.source().line() == 75).findFirst().orElseThrow();
        // The shape-instantiated method: receiver first, then the dictionary (noder.shapeSig).
        assertTrue(wait.physical().startsWith("main.(*Pool[go.shape."), wait.physical());
        assertEquals(new Field(receiver(wait.physical(), "main.Pool[...]"), POOL_WORKCH), b.channelOperand(wait).orElseThrow());
        // p.workCh <- ... in Pool.Go, inlined into listRevisions(r *reconciler, p *Pool[Revision], service string).
        String list = "main.(*reconciler).listRevisions";
        assertEquals(new Field(new Param(1, list, Optional.empty()), POOL_WORKCH),
                operand(b, ChannelOp.SEND, "main.(*Pool[...]).Go", 70, list));
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void deferCloseAndTheSendingClosureCaptureTheSameLocal(String v) {
        ScannedBinary b = scan(v, "defer-close");
        // defer close(resultCh) compiles to podKiller.deferwrap1, a stack closure capturing resultCh at +8;
        // resultCh <- pod.UID is in podKiller.func1, which captures kl at +8 and resultCh at +0x10.
        String wrap = "main.(*Kubelet).podKiller.deferwrap1";
        ChannelOperand closed = operand(b, ChannelOp.CLOSE, wrap, 52);
        String func1 = "main.(*Kubelet).podKiller.func1";
        ChannelOperand sent = operand(b, ChannelOp.SEND, func1, 67);
        Captured c = assertInstanceOf(Captured.class, closed);
        Captured s = assertInstanceOf(Captured.class, sent);
        assertEquals(8, c.offset());
        assertEquals(wrap, c.closure());
        assertEquals(0x10, s.offset());
        assertEquals(func1, s.closure());
        // Both are podKiller's resultCh := make(chan UID).
        ChannelOperand.CallResult made = assertInstanceOf(ChannelOperand.CallResult.class, c.origin());
        assertEquals("runtime.makechan", made.callee());
        assertEquals(made, s.origin());
        assertEquals(closed.resolved(), sent.resolved());
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void closuresOfOneFunctionSharingAMadeChannel(String v) {
        // many-goroutines: close(out) in fanIn.func2 and out <- rec in fanIn.func1 (main.go:71, 65).
        ScannedBinary b = scan(v, "many-goroutines");
        ChannelOperand closed = operand(b, ChannelOp.CLOSE, "main.fanIn.func2", 71);
        ChannelOperand sent = operand(b, ChannelOp.SEND, "main.fanIn.func1", 65);
        assertInstanceOf(Captured.class, closed);
        assertEquals(closed.resolved(), sent.resolved());
        assertEquals("runtime.makechan", assertInstanceOf(ChannelOperand.CallResult.class, closed.resolved()).callee());
        // ch of Source.Open is another channel: made by another call.
        ChannelOperand other = operand(b, ChannelOp.SEND, "main.Source.Open.func1", 46);
        assertNotEquals(closed.resolved(), other.resolved());

        // recovered-repanic: fanout closes its local replies; its closure func1 sends on it.
        ScannedBinary r = scan(v, "recovered-repanic");
        ChannelOperand local = operand(r, ChannelOp.CLOSE, "main.(*Gateway).fanout", 81);
        assertEquals("runtime.makechan", assertInstanceOf(ChannelOperand.CallResult.class, local).callee());
        ChannelOperand captured = operand(r, ChannelOp.SEND, "main.(*Gateway).fanout.func1", 70);
        assertEquals(local, assertInstanceOf(Captured.class, captured).origin());
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void sendThenCloseParametersAndCapturedParameters(String v) {
        ScannedBinary b = scan(v, "send-then-close");
        // WriteStatus(s) inlined into serveStream(t *transport, s *serverStream, ...): s is argument register 1.
        String serve = "main.(*transport).serveStream";
        Field writes = new Field(new Param(1, serve, Optional.empty()), STREAM_WRITES);
        for (ChannelOp op : List.of(ChannelOp.SEND, ChannelOp.CLOSE)) {
            int line = op == ChannelOp.SEND ? 63 : 64;
            List<CallSite> inServe = b.sites(op).stream().filter(x -> x.source().line() == line
                    && x.physical().equals(serve)).toList();
            assertFalse(inServe.isEmpty());
            for (CallSite x : inServe) {
                assertEquals(writes, b.channelOperand(x).orElseThrow(), x.toString());
            }
            // ... and into the time.AfterFunc closure, which captured s from serveStream.
            ChannelOperand inClosure = operand(b, op, "main.(*serverStream).WriteStatus", line, serve + ".func1");
            assertEquals(writes, inClosure.resolved());
        }
        // defer close(done) in loopyWriter(t, s, done): the deferwrap captured argument register 2.
        ChannelOperand done = operand(b, ChannelOp.CLOSE, "main.(*transport).loopyWriter.deferwrap1", 75);
        assertEquals(new Param(2, "main.(*transport).loopyWriter", Optional.empty()), done.resolved());
    }

    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void nestedFieldsAndPlainParameters(String v) {
        // ctr.copier.Close() inlined into monitor(ctr *container): ctr.copier.closed.
        ScannedBinary g = scan(v, "select-close-guard");
        assertEquals(new Field(new Field(new Param(0, "main.monitor", Optional.empty()), CONTAINER_COPIER), COPIER_CLOSED),
                operand(g, ChannelOp.CLOSE, "main.(*Copier).Close", 82, "main.monitor"));
        // heartbeat <- time.Now() in processor(reqs <-chan transferReq, heartbeat chan<- time.Time).
        ScannedBinary w = scan(v, "watchdog-abort");
        assertEquals(new Param(1, "main.processor", Optional.empty()), operand(w, ChannelOp.SEND, "main.processor", 45));
        ScannedBinary n = scan(v, "close-of-nil");
        assertEquals(new Field(receiver("main.(*worker).stop", "main.worker"), WORKER_QUIT),
                operand(n, ChannelOp.CLOSE, "main.(*worker).stop", 73));
        assertEquals(new Field(receiver("main.(*txPool).Stop", "main.txPool"), TXPOOL_QUIT),
                operand(n, ChannelOp.CLOSE, "main.(*txPool).Stop", 93));
        assertEquals(new Field(receiver("main.(*Node).Close", "main.Node"), NODE_STOP),
                operand(n, ChannelOp.CLOSE, "main.(*Node).Close", 108));
    }

    /**
     * Every close, send, non-blocking send and select with one send case in the samples' user
     * code has an operand with nothing unknown in it (docs/binary-facts.md quotes the count).
     */
    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void everyUserSiteHasAKnownOperand(String v) {
        int sites = 0;
        for (SampleCores.Entry e : SampleCores.forGo(v)) {
            ScannedBinary b = scan(v, e.name());
            for (CallSite s : b.sites()) {
                boolean user = b.isUserFunction(s.source().function()) || b.isUserFunction(s.physical());
                if (!user || s.op() == ChannelOp.GO || !s.callee().startsWith("runtime.")
                        || s.op() == ChannelOp.SELECT && b.selectShape(s).map(SelectShape::sends).orElse(-1) != 1) {
                    continue;
                }
                sites++;
                ChannelOperand o = b.channelOperand(s).orElseThrow(() -> new AssertionError(e.id() + " " + s));
                assertTrue(o.known(), e.id() + " " + s + ": " + o.describe());
            }
        }
        assertTrue(sites >= 55, "sites " + sites);
    }

    /** Every truth closer and sender has an operand with nothing unknown in it. */
    @ParameterizedTest(name = "go{0}")
    @MethodSource("goVersions")
    void everyTruthSiteHasAKnownOperand(String v) {
        int checked = 0;
        for (SampleCores.Entry e : SampleCores.forGo(v)) {
            if (!e.truth().isChannelPanic()) {
                continue;
            }
            ScannedBinary b = scan(v, e.name());
            for (var role : Map.of("closer", e.truth().closer(), "sender", e.truth().sender()).entrySet()) {
                for (SampleCores.Site t : role.getValue()) {
                    List<CallSite> sites = b.sites().stream().filter(s -> s.op() != ChannelOp.GO
                            && s.source().line() == t.line() && s.source().file().endsWith(t.file())).toList();
                    assertFalse(sites.isEmpty(), e.id() + " " + role.getKey() + " " + t);
                    for (CallSite s : sites) {
                        ChannelOperand o = b.channelOperand(s).orElseThrow(() -> new AssertionError(e.id() + " " + s));
                        assertTrue(o.known(), e.id() + " " + s + ": " + o.describe());
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked >= 20, "checked " + checked);
    }
}
