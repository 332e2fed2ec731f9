package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.elf.ElfFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/** What the scan says about an input that is not a Go executable: one line, BAD_INPUT. */
class BinaryScannerInputTest {
    @TempDir
    Path dir;

    @Test
    void anElfFileWithoutAPclntabIsBadInput() throws IOException {
        // The C program's core of src/test/resources/elf (a core, and not Go).
        Path core = dir.resolve("sleeper-core");
        try (InputStream in = new XZInputStream(getClass().getResourceAsStream("/elf/sleeper-core.xz"))) {
            Files.copy(in, core);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (ElfFile elf = ElfFile.open(core)) {
            ChanscopeException e = assertThrows(ChanscopeException.class, () -> BinaryScanner.scan(elf));
            assertEquals(ExitCode.BAD_INPUT, e.exitCode());
            assertTrue(e.getMessage().contains("no .gopclntab section"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void wrapperKindsFromNames() {
        assertEquals(CallSite.Wrapper.DEFER_WRAPPER, BinaryScanner.wrapperOf("main.(*Kubelet).podKiller.deferwrap1"));
        assertEquals(CallSite.Wrapper.GO_WRAPPER, BinaryScanner.wrapperOf("main.main.gowrap12"));
        assertEquals(CallSite.Wrapper.CLOSURE, BinaryScanner.wrapperOf("main.fanIn.func2"));
        assertEquals(CallSite.Wrapper.CLOSURE, BinaryScanner.wrapperOf("main.(*Gateway).safeGo.func1.1"));
        assertEquals(CallSite.Wrapper.CLOSURE, BinaryScanner.wrapperOf("main.NewPool[go.shape.int].func3"));
        assertEquals(CallSite.Wrapper.NONE, BinaryScanner.wrapperOf("main.(*T).run-fm"));
        assertEquals(CallSite.Wrapper.NONE, BinaryScanner.wrapperOf("main.function1"));
    }

    @Test
    void packagesAsTheRuntimeFindsThem() {
        assertEquals("main", GoPackages.packageOf("main.(*Pool[go.shape.struct { Name string }]).Wait"));
        assertEquals("net/http", GoPackages.packageOf("net/http.(*conn).serve"));
        assertEquals("gopkg.in/yaml%2ev3", GoPackages.packageOf("gopkg.in/yaml%2ev3.Unmarshal"));
        assertEquals("gopkg.in/yaml.v3", GoPackages.unescape("gopkg.in/yaml%2ev3"));
        assertEquals("internal/runtime/maps", GoPackages.packageOf("internal/runtime/maps.(*Map).getWithKeySmall"));
        GoPackages p = new GoPackages(java.util.List.of("example.com/m", "github.com/dep/lib", "gopkg.in/yaml.v3"));
        assertEquals(GoPackages.Origin.USER, p.origin("gopkg.in/yaml%2ev3.(*decoder).unmarshal"));
        assertEquals(GoPackages.Origin.USER, p.origin("example.com/m/server.(*S).Run"));
        assertEquals(GoPackages.Origin.USER, p.origin("github.com/dep/lib.Do"));
        // Not shipped by the toolchain, so not the standard library, listed or not (issue 10).
        assertEquals(GoPackages.Origin.USER, p.origin("github.com/other/x.Do"));
        assertEquals(GoPackages.Origin.STANDARD, p.origin("sync.(*WaitGroup).Wait"));
        assertEquals(GoPackages.Origin.RUNTIME, p.origin("runtime.closechan"));
        assertEquals(GoPackages.Origin.RUNTIME, p.origin("reflect.Value.Close"));
        assertEquals(GoPackages.Origin.RUNTIME, p.origin("internal/poll.(*FD).Close"));
        GoPackages guess = new GoPackages(java.util.List.of());
        assertEquals(GoPackages.Origin.USER, guess.origin("github.com/other/x.Do"));
        assertEquals(GoPackages.Origin.STANDARD, guess.origin("time.Sleep"));
    }
}
