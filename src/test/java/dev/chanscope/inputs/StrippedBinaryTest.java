package dev.chanscope.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.elf.BuildDebugInfo;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stripped release binaries through the command line (docs/stripped.md): a {@code -ldflags="-s -w"}
 * build read from its core with the built-in layouts, and a binary stripped with
 * {@code objcopy --strip-all} giving the same report as its unstripped original.
 */
class StrippedBinaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aDashSDashWBuildIsDiagnosedWithTheBuiltInLayouts() throws Exception {
        SampleCores.Entry e = SampleCores.all().stream()
                .filter(x -> x.build().equals("stripped") && x.name().equals("multi-closer") && x.goVersion().equals("1.26.8"))
                .findFirst().orElseThrow();
        try (ElfFile exe = ElfFile.open(e.binary())) {
            BuildDebugInfo d = BuildDebugInfo.of(exe);
            assertFalse(d.hasDwarf() || d.hasSymtab(), "the sample must have neither DWARF nor a symbol table");
        }
        Inputs.Run r = Inputs.run(tmp, "analyze", "--json", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("built-in table for go1.26.8/amd64", j.get("layouts").asText());
        assertEquals("go1.26.8", j.get("goVersion").asText());
        assertEquals(e.truth().pattern(), j.at("/diagnosis/pattern").asText());
        assertTrue(j.at("/diagnosis/confidence").asDouble() >= 0.8, r.out());
        Inputs.Run text = Inputs.run(tmp, "analyze", "--binary", e.binaryXz().toString(), e.coreXz().toString());
        assertTrue(text.out().contains("Go go1.26.8 (runtime layouts from the built-in table for go1.26.8/amd64), "),
                text.out());
    }

    /** Static, and the builds whose data moves: PIE (1.22 keeps the pclntab in .data.rel.ro), cgo PIE, external linking. */
    static Stream<SampleCores.Entry> unstripped() {
        return Stream.of("go1.26.8/select-close-send", "go1.22.12-pie/multi-closer", "go1.27.4-cgopie/multi-closer",
                "go1.26.8-extlink/double-close").map(id -> SampleCores.all().stream().filter(x -> x.id().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + id)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unstripped")
    void objcopyStripAllGivesTheUnstrippedReport(SampleCores.Entry e) throws Exception {
        // objcopy --strip-all keeps the build ids, so the stripped copy matches the core as it is.
        Path stripped = tmp.resolve(e.name() + "-stripped");
        Inputs.exec(tmp, "objcopy", "--strip-all", e.binary().toString(), stripped.toString());
        Inputs.Run full = Inputs.run(tmp, "analyze", "--json", "--binary", e.binary().toString(), e.coreXz().toString());
        Inputs.Run bare = Inputs.run(tmp, "analyze", "--json", "--binary", stripped.toString(), e.coreXz().toString());
        assertEquals(0, full.exit(), full.err());
        assertEquals(0, bare.exit(), bare.err());
        ObjectNode a = (ObjectNode) JSON.readTree(full.out());
        ObjectNode b = (ObjectNode) JSON.readTree(bare.out());
        assertEquals("DWARF", a.get("layouts").asText());
        assertEquals("built-in table for go" + e.goVersion() + "/amd64", b.get("layouts").asText());
        for (ObjectNode o : new ObjectNode[] {a, b}) {
            o.remove("layouts");
            ((ObjectNode) o.get("input")).remove("binary");
            o.remove("elapsedMs");
        }
        // Goroutines, frames, the panic, the channel, the verdict and its evidence: all the same,
        // except where a program's own struct types named a field (DWARF only).
        assertEquals(a.get("goroutines"), b.get("goroutines"));
        assertEquals(a.get("panic"), b.get("panic"));
        assertEquals(a.at("/diagnosis/pattern"), b.at("/diagnosis/pattern"));
        // The receiver struct's field of the channel's type is DWARF evidence: without it the
        // confidence may be lower (go1.22.12-pie multi-closer, no source: 0.85 and 0.75), never higher.
        assertTrue(b.at("/diagnosis/confidence").asDouble() <= a.at("/diagnosis/confidence").asDouble(), e.id());
        assertEquals(a.at("/diagnosis/culprit"), b.at("/diagnosis/culprit"));
    }
}
