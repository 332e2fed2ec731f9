package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.elf.ElfFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tukaani.xz.XZInputStream;

/**
 * The shapes of src/test/resources/binary/goshapes/main.go (built with Go 1.22.12 and 1.26.8,
 * see the README there) that the crash fixtures do not have: method values, interface and
 * parameter funcvals after {@code go}, a wrapper with its callee inlined, defers in a loop,
 * and the reflect channel operations.
 */
class GoShapesTest {
    @TempDir
    Path dir;

    private ScannedBinary scan(String resource) {
        Path bin = dir.resolve(resource.replace(".xz", ""));
        try (InputStream in = new XZInputStream(GoShapesTest.class.getResourceAsStream("/binary/" + resource))) {
            Files.copy(in, bin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (ElfFile exe = ElfFile.open(bin)) {
            return BinaryScanner.scan(exe);
        }
    }

    private static int lineOf(String code) {
        return lineOf("", code);
    }

    /** The line holding {@code code}, the first after the declaration of function {@code in} ("" for anywhere). */
    private static int lineOf(String function, String code) {
        try (InputStream in = GoShapesTest.class.getResourceAsStream("/binary/goshapes/main.go")) {
            assertNotNull(in);
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            boolean inside = function.isEmpty();
            for (int i = 0; i < lines.size(); i++) {
                inside |= lines.get(i).startsWith("func " + function + "(");
                if (inside && lines.get(i).trim().equals(code)) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("not in goshapes/main.go: " + code);
    }

    private static CallSite site(ScannedBinary b, ChannelOp op, String physical) {
        return b.sites(op).stream().filter(s -> s.physical().equals(physical)).findFirst()
                .orElseThrow(() -> new AssertionError(op + " in " + physical + " not among " + b.sites()));
    }

    private static GoRoot rootSpawnedBy(ScannedBinary b, String spawner) {
        return b.goRoots().stream().filter(r -> r.spawner().equals(Optional.of(spawner))).findFirst()
                .orElseThrow(() -> new AssertionError("no root spawned by " + spawner + ": " + b.goRoots()));
    }

    private static boolean noted(ScannedBinary b, Unresolved.Kind kind, String function, int line) {
        return b.unresolvedDetails().stream()
                .anyMatch(u -> u.kind() == kind && u.function().equals(function) && u.at().line() == line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"goshapes-go122.xz", "goshapes-go126.xz"})
    void goStatementsStartWhereTheSourceSays(String resource) {
        ScannedBinary b = scan(resource);
        assertEquals(0, b.stats().undecodable());
        assertEquals(0, b.stats().misalignedBranchTargets());

        // f := t.run; go f(): the method value wrapper, standing for (*T).run inlined into it.
        GoRoot mv = rootSpawnedBy(b, "main.goMethodValue");
        assertEquals("main.(*T).run-fm", mv.start());
        assertEquals("main.(*T).run", mv.name());
        CallSite close = site(b, ChannelOp.CLOSE, "main.(*T).run-fm");
        assertEquals(new SourcePos("main.(*T).run", close.source().file(), lineOf("func (t *T) run()        { close(t.ch) }")),
                close.source());
        assertEquals(Set.of("main.(*T).run"), b.rootsReaching(close));

        // go t.small(3): small is inlined into the gowrap.
        GoRoot inl = rootSpawnedBy(b, "main.goInlined");
        assertEquals("main.goInlined.gowrap1", inl.start());
        assertEquals("main.(*T).small", inl.name());
        CallSite send = site(b, ChannelOp.SEND, "main.goInlined.gowrap1");
        assertEquals(CallSite.Wrapper.GO_WRAPPER, send.wrapper());
        assertEquals("main.(*T).small", send.source().function());
        assertEquals("main.goInlined.gowrap1", send.inlinedInto().get(0).function());
        assertEquals(Set.of("main.(*T).small"), b.rootsReaching(send));

        // go top(): the static funcval main.top·f, no wrapper.
        GoRoot st = rootSpawnedBy(b, "main.goStatic");
        assertEquals("main.top", st.start());
        assertEquals("main.top", st.name());
        assertEquals(Optional.of("main.top"), site(b, ChannelOp.GO, "main.goStatic").goTarget());

        // go i.M(): the wrapper calls through the itab; it stays its own root and is noted.
        GoRoot itf = rootSpawnedBy(b, "main.goInterface");
        assertEquals("main.goInterface.gowrap1", itf.name());
        int goIface = lineOf("goInterface", "go i.M()");
        assertTrue(noted(b, Unresolved.Kind.GO_WRAPPER_CALLEE, "main.goInterface", goIface), b.unresolved().toString());
        assertTrue(b.hasIndirectCalls("main.goInterface.gowrap1"));

        // go f() with f a parameter, and with f chosen at run time (CMOV or a branch): unknown.
        assertEquals(Optional.empty(), site(b, ChannelOp.GO, "main.goParameter").goTarget());
        assertTrue(noted(b, Unresolved.Kind.GO_TARGET, "main.goParameter", lineOf("goParameter", "go f()")), b.unresolved().toString());
        assertEquals(Optional.empty(), site(b, ChannelOp.GO, "main.goChoice").goTarget());
        assertTrue(noted(b, Unresolved.Kind.GO_TARGET, "main.goChoice", lineOf("goChoice", "go g()")), b.unresolved().toString());

        // go func(f func()) { f() }(top): the compiler passes the literal's funcval (func1) in
        // the wrapper's closure and inlines func1 and top into the wrapper, which calls
        // time.Sleep itself; the root is the function written after "go".
        GoRoot pf = rootSpawnedBy(b, "main.goPassesFunc");
        assertEquals("main.goPassesFunc.gowrap1", pf.start());
        assertEquals("main.goPassesFunc.func1", pf.name());
        assertEquals(CallGraph.EdgeKind.ADDRESS_TAKEN,
                b.graph().edgesFrom("main.goPassesFunc.gowrap1").get("main.goPassesFunc.func1"),
                "the goroutine may call the funcval its go statement captured");
        assertEquals(CallGraph.EdgeKind.CALL, b.graph().edgesFrom("main.goPassesFunc.gowrap1").get("time.Sleep"));
        assertTrue(b.rootsReaching("time.Sleep").contains("main.goPassesFunc.func1"));
        assertTrue(!b.graph().edgesFrom("main.goPassesFunc").containsKey("main.goPassesFunc.gowrap1"),
                "the spawner does not call the goroutine's start function");
    }

    @ParameterizedTest
    @ValueSource(strings = {"goshapes-go122.xz", "goshapes-go126.xz"})
    void defersInALoopAndTheReflectTwins(String resource) {
        ScannedBinary b = scan(resource);
        // defer close(c) in a loop: deferproc with a heap closure; the wrapper is reached from loopDefer.
        CallSite dc = site(b, ChannelOp.CLOSE, "main.loopDefer.deferwrap1");
        assertEquals(CallSite.Wrapper.DEFER_WRAPPER, dc.wrapper());
        assertEquals(lineOf("defer close(c)"), dc.source().line());
        assertEquals(CallGraph.EdgeKind.ADDRESS_TAKEN, b.graph().edgesFrom("main.loopDefer").get("main.loopDefer.deferwrap1"));
        assertEquals(Set.of("main.main"), b.rootsReaching(dc));

        assertEquals(lineOf("v.Send(reflect.ValueOf(1))"), site(b, ChannelOp.SEND, "main.reflectOps").source().line());
        assertEquals("reflect.Value.Send", site(b, ChannelOp.SEND, "main.reflectOps").callee());
        assertEquals(lineOf("v.TrySend(reflect.ValueOf(2))"),
                site(b, ChannelOp.SELECT_NB_SEND, "main.reflectOps").source().line());
        assertEquals("reflect.Select", site(b, ChannelOp.SELECT, "main.reflectOps").callee());
        assertEquals(lineOf("v.Close()"), site(b, ChannelOp.CLOSE, "main.reflectOps").source().line());
        // The reflect package's own calls into the runtime are not sites.
        assertTrue(b.sites().stream().noneMatch(s -> s.physical().startsWith("reflect.")));

        // select { case ch <- 1: default: } in trySend, inlined into main.
        CallSite nb = b.sites(ChannelOp.SELECT_NB_SEND).stream()
                .filter(s -> s.source().function().equals("main.trySend")).findFirst().orElseThrow();
        assertEquals(lineOf("case ch <- 1:"), nb.source().line());
        assertEquals("main.main", nb.physical());
        assertTrue(b.isUserFunction("main.trySend"));
        assertTrue(!b.isUserFunction("time.Sleep"));
    }
}
