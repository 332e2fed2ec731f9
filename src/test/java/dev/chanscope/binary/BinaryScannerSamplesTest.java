package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scan of every sample binary (both Go versions) against the fixtures' ground truth and
 * source (src/test/go/NAME/main.go): every truth closer and sender is a call site with the
 * right operation, function and line; the goroutine roots that reach each closing site are
 * the ones the source shows; indirect calls the fixtures make are reported as unresolved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BinaryScannerSamplesTest {

    /**
     * Roots reaching each truth closer (by fixture and line), read off the fixture source. The
     * union over every site of that close (one per function it was inlined into).
     */
    private static final Map<String, Map<Integer, Set<String>>> CLOSER_ROOTS = merge(with(Map.of(
            // close(w.quit) in worker.stop, reached only as Service.Stop through an interface
            // (Node.Close, main.go:104): no root reaches it through calls the scan can follow.
            "close-of-nil", Map.of(73, Set.of()),
            // defer close(resultCh) in podKiller, started by go kl.podKiller() (main.go:77).
            "defer-close", Map.of(52, Set.of("main.(*Kubelet).podKiller")),
            // close(c.closed) in Conn.Close: readLoop's goroutine (go c.readLoop(), main.go:38)
            // and main via cl.Shutdown() (main.go:127).
            "double-close", Map.of(44, Set.of("main.(*Conn).readLoop", "main.main")),
            // close(out) in the closure started by go func() {...}() at main.go:69.
            "many-goroutines", Map.of(71, Set.of("main.fanIn.func2")),
            // two closers in two roots: go c.watchdog(...) (main.go:155), go c.serveAdmin(admin) (main.go:153).
            "multi-closer", Map.of(121, Set.of("main.(*Collector).watchdog"),
                    132, Set.of("main.(*Collector).serveAdmin")),
            // Pool.Wait, called by Reconcile from main (main.go:113, 125).
            "premature-close", Map.of(75, Set.of("main.main")),
            // fanout's close, called from main (main.go:99).
            "recovered-repanic", Map.of(81, Set.of("main.main")),
            // Copier.Close from go monitor(ctr) (main.go:120) and from main's d.Shutdown() (main.go:130).
            "select-close-guard", Map.of(82, Set.of("main.monitor", "main.main")),
            // watcher.send's close, from go s.applyLoop (main.go:129) and go s.progressNotify (main.go:138).
            "select-close-send", Map.of(52, Set.of("main.(*watchableStore).applyLoop",
                    "main.(*watchableStore).progressNotify")),
            // WriteStatus, called by serveStream (go t.serveStream, main.go:130) and by its
            // time.AfterFunc closure, whose address serveStream takes (main.go:91).
            "send-then-close", Map.of(64, Set.of("main.(*transport).serveStream"))),
            // Pool.Shutdown in package pool (pool/pool.go:61), called by main (main.go:35).
            "worker-pool", Map.of(61, Set.of("main.main"))), Map.ofEntries(
            // Batcher.Close, called by main (main.go:118).
            Map.entry("batch-flush-select", Map.of(73, Set.of("main.main"))),
            // Dispatcher.Shutdown, called by main (main.go:85).
            Map.entry("webhook-select-publish", Map.of(46, Set.of("main.main"))),
            // Upload.Finish, called by main (main.go:81).
            Map.entry("upload-closure-retry", Map.of(62, Set.of("main.main"))),
            // Shipper.Stop, called by main (main.go:75).
            Map.entry("shipper-closure-withconn", Map.of(49, Set.of("main.main"))),
            // defer close in watcher.run, started by go w.run(ctx) (main.go:59).
            Map.entry("watcher-defer-only", Map.of(31, Set.of("main.(*watcher).run"))),
            // defer close in bestQuote, called by main (main.go:63).
            Map.entry("quote-defer-only", Map.of(33, Set.of("main.main"))),
            // two roots: go p.reaper(...) (main.go:98) and go p.drainOnSignal(sigs) (main.go:94).
            Map.entry("pool-reaper-signal", Map.of(67, Set.of("main.(*Pool).reaper"),
                    77, Set.of("main.(*Pool).drainOnSignal"))),
            // two roots: go c.readLoop() (main.go:104) and go c.keepalive(...) (main.go:103).
            Map.entry("conn-readloop-keepalive", Map.of(58, Set.of("main.(*Conn).readLoop"),
                    82, Set.of("main.(*Conn).keepalive")))));

    private static <K, V> Map<K, V> merge(Map<K, V> a, Map<K, V> b) {
        Map<K, V> out = new HashMap<>(a);
        out.putAll(b);
        return Map.copyOf(out);
    }

    private static <K, V> Map<K, V> with(Map<K, V> m, K k, V v) {
        Map<K, V> out = new HashMap<>(m);
        out.put(k, v);
        return Map.copyOf(out);
    }

    /** Roots reaching each truth sender, where the source makes them unambiguous. */
    private static final Map<String, Map<Integer, Set<String>>> SENDER_ROOTS = Map.of(
            // resultCh <- pod.UID in the closure run by go func(pod *Pod) {...}(pod) (main.go:63),
            // through podKiller.gowrap2 calling the closure it captured.
            "defer-close", Map.of(67, Set.of("main.(*Kubelet).podKiller.func1")),
            "many-goroutines", Map.of(65, Set.of("main.fanIn.func1")),
            "multi-closer", Map.of(92, Set.of("main.(*Collector).scrapeLoop")),
            // Pool.Go inlined into listRevisions, started by go r.listRevisions(p, service) (main.go:106).
            "premature-close", Map.of(70, Set.of("main.(*reconciler).listRevisions")),
            "select-close-send", Map.of(48, Set.of("main.(*watchableStore).applyLoop",
                    "main.(*watchableStore).progressNotify")),
            "send-then-close", Map.of(63, Set.of("main.(*transport).serveStream")),
            // Pool.Submit inlined into feed, started by go feed(p, 100) (main.go:33).
            "worker-pool", Map.of(44, Set.of("main.feed")));

    /** An indirect call each fixture makes in user code (function, line), which must be reported unresolved. */
    private static final Map<String, List<String>> INDIRECT = Map.of(
            "close-of-nil", List.of("main.(*Node).Close", "104"),             // n.services[i].Stop(): interface
            "double-close", List.of("main.(*Conn).readLoop", "45"),           // c.nc.Close() inlined from Conn.Close
            "recovered-repanic", List.of("main.(*Gateway).safeGo.func1", "60"), // f(): func value
            "send-then-close", List.of("main.(*transport).serveStream", "95"),  // h(ctx, s): func value
            "many-goroutines", List.of("main.(*service).worker", "94"));       // job(): func value

    private final Map<String, ScannedBinary> scans = new HashMap<>();

    static Stream<SampleCores.Entry> samples() {
        List<SampleCores.Entry> all = SampleCores.all();
        assertTrue(all.size() >= 24, "sample binaries: " + all.size());
        return all.stream();
    }

    private ScannedBinary scan(SampleCores.Entry e) {
        return scans.computeIfAbsent(e.id(), k -> {
            try (ElfFile exe = ElfFile.open(e.binary())) {
                return BinaryScanner.scan(exe);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyFunctionDecodesToItsEnd(SampleCores.Entry e) {
        ScanStats st = scan(e).stats();
        assertTrue(st.functions() > 1000, st.toString());
        assertEquals(0, st.undecodable(), "functions whose decoding stopped early: " + st);
        assertEquals(0, st.misalignedBranchTargets(), "branches into the middle of a decoded instruction: " + st);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void truthClosersAndSendersAreCallSites(SampleCores.Entry e) {
        ScannedBinary b = scan(e);
        for (SampleCores.Site t : e.truth().closer()) {
            List<CallSite> found = matching(b, t);
            assertFalse(found.isEmpty(), e + ": no site for closer " + t + " among " + userSites(b));
            for (CallSite s : found) {
                assertEquals(ChannelOp.CLOSE, s.op(), s.toString());
                assertEquals(opWritten(t), s.op(), "the source line's operation: " + s);
            }
            if (t.wrapper() != null && t.wrapper().matches(".*\\.deferwrap\\d+")) {
                assertTrue(found.stream().allMatch(s -> s.wrapper() == CallSite.Wrapper.DEFER_WRAPPER), found.toString());
            }
            if (!t.reachedFrom().isEmpty()) {
                Set<String> logicalCallers = new TreeSet<>();
                for (CallSite s : found) {
                    logicalCallers.addAll(s.inlinedInto().isEmpty() ? b.callers(s.physical())
                            : Set.of(s.inlinedInto().get(0).function()));
                }
                assertTrue(logicalCallers.containsAll(t.reachedFrom()),
                        e + ": " + t.function() + " is called from " + logicalCallers + ", truth says " + t.reachedFrom());
            }
        }
        for (SampleCores.Site t : e.truth().sender()) {
            List<CallSite> found = matching(b, t);
            assertFalse(found.isEmpty(), e + ": no site for sender " + t + " among " + userSites(b));
            for (CallSite s : found) {
                assertEquals(opWritten(t), s.op(), s.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void rootsReachingClosersAndSendersAreTheOnesTheSourceShows(SampleCores.Entry e) {
        ScannedBinary b = scan(e);
        check(e, b, e.truth().closer(), CLOSER_ROOTS.get(e.name()));
        check(e, b, e.truth().sender(), SENDER_ROOTS.get(e.name()));
        if (!e.truth().closer().isEmpty()) {
            assertTrue(CLOSER_ROOTS.containsKey(e.name()), "write down the expected closer roots of " + e.name());
        }
    }

    private static void check(SampleCores.Entry e, ScannedBinary b, List<SampleCores.Site> sites,
                              Map<Integer, Set<String>> expected) {
        if (expected == null) {
            return;
        }
        for (SampleCores.Site t : sites) {
            Set<String> roots = new TreeSet<>();
            for (CallSite s : matching(b, t)) {
                roots.addAll(b.rootsReaching(s));
            }
            assertEquals(new TreeSet<>(expected.get(t.line())), roots, e + " line " + t.line());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyGoStatementInUserCodeHasItsTarget(SampleCores.Entry e) {
        ScannedBinary b = scan(e);
        List<CallSite> gos = b.sites(ChannelOp.GO).stream().filter(s -> b.isUserFunction(s.physical())).toList();
        assertFalse(gos.isEmpty(), e.toString());
        for (CallSite s : gos) {
            assertTrue(s.goTarget().isPresent(), s.toString());
            GoRoot r = b.goRoots().stream().filter(x -> x.spawnPc() == s.pc()).findFirst().orElseThrow();
            assertEquals(s.goTarget().get(), r.start());
            assertEquals(Optional.of(r), b.rootStartingIn(r.start()).filter(x -> x.spawnPc() == s.pc())
                    .or(() -> Optional.of(r)));
            // A go wrapper stands for the function written after "go".
            if (s.goTarget().get().matches(".*\\.gowrap\\d+")) {
                assertFalse(r.name().matches(".*\\.gowrap\\d+"), "wrapper callee not found for " + r);
            }
        }
        assertTrue(b.goRoots().stream().anyMatch(r -> r.kind() == GoRoot.Kind.MAIN && r.name().equals("main.main")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void indirectCallsAreReportedUnresolved(SampleCores.Entry e) {
        List<String> want = INDIRECT.get(e.name());
        if (want == null) {
            return;
        }
        ScannedBinary b = scan(e);
        assertTrue(b.hasIndirectCalls(want.get(0)), want.get(0));
        assertTrue(b.unresolvedDetails().stream().anyMatch(u -> u.kind() == Unresolved.Kind.INDIRECT_CALL
                        && u.function().equals(want.get(0)) && u.at().line() == Integer.parseInt(want.get(1))),
                e + ": " + b.unresolved());
        assertTrue(b.unresolved().stream().anyMatch(u -> u.contains(want.get(0))));
    }

    @Test
    void deferredCloseIsInTheDeferWrapperReachedFromItsFunction() {
        for (SampleCores.Entry e : SampleCores.named("defer-close")) {
            ScannedBinary b = scan(e);
            CallSite close = b.sites(ChannelOp.CLOSE).stream()
                    .filter(s -> s.physical().equals("main.(*Kubelet).podKiller.deferwrap1")).findFirst().orElseThrow();
            assertEquals(CallSite.Wrapper.DEFER_WRAPPER, close.wrapper());
            assertEquals(52, close.source().line());
            // The open-coded defer's exit call is resolved through podKiller's defer slot.
            assertEquals(CallGraph.EdgeKind.DEFERRED,
                    b.graph().edgesFrom("main.(*Kubelet).podKiller").get("main.(*Kubelet).podKiller.deferwrap1"));
            assertFalse(b.hasIndirectCalls("main.(*Kubelet).podKiller"), e.toString());
            // go func(pod) {...}(pod): the goroutine starts in gowrap2, which calls the closure it captured.
            GoRoot r = b.rootStartingIn("main.(*Kubelet).podKiller.gowrap2").orElseThrow();
            assertEquals("main.(*Kubelet).podKiller.func1", r.name());
            assertEquals(CallGraph.EdgeKind.CLOSURE,
                    b.graph().edgesFrom("main.(*Kubelet).podKiller.gowrap2").get("main.(*Kubelet).podKiller.func1"));
        }
    }

    @Test
    void selectShapesComeFromTheCaseCounts() {
        for (SampleCores.Entry e : SampleCores.named("select-close-send")) {
            ScannedBinary b = scan(e);
            // select { case w.ch <- wr: ... case <-time.After(timeout): ... } (main.go:48)
            CallSite send = b.sites(ChannelOp.SELECT).stream().filter(s -> s.source().line() == 48).findFirst()
                    .orElseThrow();
            assertEquals(Optional.of(new SelectShape(1, 1)), b.selectShape(send));
            // select { case <-ctx.Done(): case ev := <-puts: } (main.go:97)
            CallSite recv = b.sites(ChannelOp.SELECT).stream().filter(s -> s.source().line() == 97).findFirst()
                    .orElseThrow();
            assertEquals(Optional.of(new SelectShape(0, 2)), b.selectShape(recv));
        }
        for (SampleCores.Entry e : SampleCores.named("multi-closer")) {
            // select { case c.progress <- struct{}{}: default: } (main.go:105): selectnbsend at the send's line
            assertTrue(scan(e).sites(ChannelOp.SELECT_NB_SEND).stream().anyMatch(s -> s.source().line() == 106
                    && s.source().function().equals("main.(*Collector).aggregate")), e.toString());
        }
    }

    @Test
    void inlinedWrappersNameTheFunctionTheUserWrote() {
        // go s.blockedSender(i) (many-goroutines main.go:235): blockedSender is inlined into its gowrap in 1.26.
        for (SampleCores.Entry e : SampleCores.named("many-goroutines")) {
            ScannedBinary b = scan(e);
            assertTrue(b.goRoots().stream().anyMatch(r -> r.name().equals("main.(*service).blockedSender")
                    && r.spawner().equals(Optional.of("main.(*service).populate"))), e.toString());
            for (CallSite s : b.sites(ChannelOp.SEND)) {
                if (s.source().function().equals("main.(*service).blockedSender")) {
                    assertEquals(Set.of("main.(*service).blockedSender"),
                            s.wrapper() == CallSite.Wrapper.GO_WRAPPER ? b.rootsReaching(s) : Set.of("main.(*service).blockedSender"),
                            s.toString());
                }
            }
        }
    }

    @Test
    void countsAndTimeForOneSampleOfEachGoVersion() {
        for (String v : SampleCores.goVersions()) {
            SampleCores.Entry e = SampleCores.get(v, "many-goroutines");
            try (ElfFile exe = ElfFile.open(e.binary())) {
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                BinaryScanner.scan(exe);
                double firstMs = (System.nanoTime() - t0) / 1e6;
                double firstCpu = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
                c0 = mx.getCurrentThreadCpuTime();
                t0 = System.nanoTime();
                ScannedBinary b = BinaryScanner.scan(exe);
                double ms = (System.nanoTime() - t0) / 1e6;
                double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
                Map<ChannelOp, Long> byOp = new EnumMap<>(ChannelOp.class);
                Map<ChannelOp, Long> userByOp = new EnumMap<>(ChannelOp.class);
                for (CallSite s : b.sites()) {
                    byOp.merge(s.op(), 1L, Long::sum);
                    if (b.isUserFunction(s.physical())) {
                        userByOp.merge(s.op(), 1L, Long::sum);
                    }
                }
                long goRoots = b.goRoots().stream().filter(r -> r.kind() == GoRoot.Kind.GO).count();
                System.out.printf("binary facts %s: %d functions, %d KB text, %d instructions, %d undecodable, "
                                + "%d misaligned; sites %s (user code %s); roots %d (%d go, %d init); "
                                + "%d call edges; %d indirect calls; %d unresolved notes (%d in user code); "
                                + "two scans: %.0f then %.0f ms wall, %.0f then %.0f ms cpu of the scanning thread%n",
                        e.id(), b.stats().functions(), b.stats().textBytes() / 1024, b.stats().instructions(),
                        b.stats().undecodable(), b.stats().misalignedBranchTargets(), byOp, userByOp,
                        b.goRoots().size(), goRoots, b.goRoots().stream().filter(r -> r.kind() == GoRoot.Kind.INIT).count(),
                        b.graph().edgeCount(), b.stats().indirectCalls(), b.unresolved().size(),
                        b.unresolvedDetails().stream().filter(u -> b.isUserFunction(u.function())).count(),
                        firstMs, ms, firstCpu, cpu);
                assertTrue(b.buildInfo().isPresent());
                assertEquals("go" + v, b.buildInfo().get().goVersion());
            }
        }
    }

    // ---- helpers ----

    /** Sites of a truth position: same line, file by suffix, and the function (or the wrapper that holds the call). */
    private static List<CallSite> matching(ScannedBinary b, SampleCores.Site t) {
        return b.sites().stream()
                .filter(s -> s.op() != ChannelOp.GO && s.source().line() == t.line()
                        && s.source().file().endsWith("/" + t.file())
                        && (s.source().function().equals(t.function())
                            || t.wrapper() != null && s.physical().equals(t.wrapper())))
                .toList();
    }

    private static Set<String> userSites(ScannedBinary b) {
        Set<String> out = new LinkedHashSet<>();
        for (CallSite s : b.sites()) {
            if (b.isUserFunction(s.physical())) {
                out.add(s.op() + " " + s.source().function() + ":" + s.source().line());
            }
        }
        return out;
    }

    /** The channel operation the fixture's source line holds. */
    private static ChannelOp opWritten(SampleCores.Site t) {
        String line;
        try {
            line = Files.readAllLines(SampleCores.fixturesDir().resolve(t.file())).get(t.line() - 1).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (line.startsWith("select")) {
            return ChannelOp.SELECT;
        }
        if (line.contains("close(")) {
            return ChannelOp.CLOSE;
        }
        if (line.matches(".*\\S\\s*<-\\s*\\S.*") && !line.startsWith("case")) {
            return ChannelOp.SEND;
        }
        fail("no channel operation on " + t.file() + ":" + t.line() + ": " + line);
        return null;
    }
}
