package dev.chanscope.goruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chanscope.arch.amd64.Amd64Decoder;
import dev.chanscope.core.CoreTarget;
import dev.chanscope.testing.SampleCores;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The roots a stripped binary's core is read from, found the stripped way on binaries that
 * still have their symbol table: they must be the symbols' addresses, for every Go release and
 * build kind among the samples (PIE, cgo and the external linker move and reorder the data).
 */
class StrippedRootsTest {
    static Stream<SampleCores.Entry> samples() {
        // one program per Go release and build kind
        Set<String> seen = new HashSet<>();
        return SampleCores.all().stream().filter(e -> !e.build().equals("stripped") && !e.build().equals("race"))
                .filter(e -> seen.add(e.goVersion() + "/" + e.build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void theRootsFoundWithoutSymbolsAreTheSymbols(SampleCores.Entry e) {
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            GoRuntime rt = GoRuntime.of(t);
            var mem = t.memory();
            long pcHeader = t.symbolAddress("runtime.pcheader").orElseThrow();
            OptionalLong md = StrippedRoots.moduledata(mem, pcHeader, t.symbolAddress("runtime.etext").orElseThrow(),
                    t.symbolAddress("runtime.enoptrdata").orElseThrow(), rt.layouts().moduledata());
            assertEquals(t.symbolAddress("runtime.firstmoduledata"), md, "firstmoduledata");
            dev.chanscope.arch.CodeDecoder dec = e.arch().equals("arm64") ? new dev.chanscope.arch.arm64.Arm64Decoder()
                    : new Amd64Decoder();
            assertEquals(t.symbolAddress("runtime.allgs"),
                    StrippedRoots.allgs(mem, rt.pclntab(), dec, rt.layouts().g()), "allgs");
            Set<Long> lwps = new HashSet<>();
            t.threads().forEach(th -> lwps.add((long) th.lwp()));
            assertEquals(t.symbolAddress("runtime.allm"),
                    StrippedRoots.allm(mem, rt.pclntab(), dec, rt.layouts().m(), lwps), "allm");
        }
    }
}
