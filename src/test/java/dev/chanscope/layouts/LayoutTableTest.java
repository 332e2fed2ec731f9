package dev.chanscope.layouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.goruntime.GoLayouts;
import dev.chanscope.proc.StructLayout;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The built-in layout table against DWARF: for every Go release the version sweep covers, the
 * layouts, constants and name tables recorded from a binary with DWARF (a committed sample
 * binary of that release, else the probe built with it) equal the table's entry, and the runtime
 * model built from either is the same.
 */
class LayoutTableTest {
    /** The releases of scripts/version-sweep (newest patch of each minor). */
    static final List<String> SWEEP = List.of("1.18.10", "1.19.13", "1.20.14", "1.21.13", "1.22.12", "1.23.12",
            "1.24.13", "1.25.14", "1.26.8", "1.27.4");

    @TempDir
    static Path tmp;

    static final List<String> ARCHS = List.of("amd64", "arm64");

    static Stream<org.junit.jupiter.params.provider.Arguments> sweep() {
        return SWEEP.stream().flatMap(v -> ARCHS.stream().map(a -> org.junit.jupiter.params.provider.Arguments.of(v, a)));
    }

    @ParameterizedTest(name = "go{0}/{1}")
    @MethodSource("sweep")
    void theTableEqualsTheDwarfOfEveryRelease(String version, String arch) throws Exception {
        Path binary = dwarfBinary(version, arch);
        LayoutRelease fromDwarf = LayoutTableGenerator.extract(binary);
        assertEquals("go" + version, fromDwarf.goVersion());
        assertEquals(arch, fromDwarf.goarch());
        LayoutRelease table = LayoutTable.builtIn().find(fromDwarf.goVersion(), arch, "").orElseThrow(
                () -> new AssertionError("no table entry for go" + version + "/" + arch));
        assertEquals("go" + version, table.goVersion());
        assertFalse(fromDwarf.structs().isEmpty());
        for (Map.Entry<String, StructLayout> s : fromDwarf.structs().entrySet()) {
            assertEquals(s.getValue(), table.structs().get(s.getKey()), "go" + version + " " + s.getKey());
        }
        assertEquals(fromDwarf.constants(), table.constants(), "go" + version + " constants");
        assertEquals(fromDwarf.nameTables(), table.nameTables(), "go" + version + " name tables");
        // A sample program without select has no runtime.scase in its DWARF; the probe has it.
        GoLayouts want = GoLayouts.load(new TableTypeCatalog(fromDwarf, "go" + version));
        GoLayouts got = GoLayouts.load(new TableTypeCatalog(table, "go" + version));
        assertEquals(want.g(), got.g());
        assertEquals(want.m(), got.m());
        assertEquals(want.hchan(), got.hchan());
        assertEquals(want.sudog(), got.sudog());
        assertEquals(want.panic(), got.panic());
        assertEquals(want.type(), got.type());
        assertEquals(want.moduledata(), got.moduledata());
        if (want.scase().size() != 0) {
            assertEquals(want.scase(), got.scase());
        }
    }

    /** A committed amd64 sample binary of the release (it has DWARF), else the probe built with it. */
    private static Path dwarfBinary(String version, String arch) throws IOException, InterruptedException {
        Optional<SampleCores.Entry> sample = SampleCores.forGo(version).stream().findFirst();
        if (sample.isPresent() && arch.equals("amd64")) {
            return sample.get().binary();
        }
        Path out = tmp.resolve("probe-" + version + "-" + arch);
        Path build = SampleCores.projectDir().resolve("src/test/go-probe/build");
        Process p = new ProcessBuilder(build.toString(), version, arch, out.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("build-" + version + "-" + arch + ".log").toFile()).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "probe build for go" + version + "/" + arch + " timed out");
        assertEquals(0, p.exitValue(), "probe build for go" + version + "/" + arch + ": "
                + Files.readString(tmp.resolve("build-" + version + "-" + arch + ".log")));
        return out;
    }

    @Test
    void theCommittedTableIsWhatTheGeneratorWrites() throws IOException {
        // Byte for byte: the file is generated (scripts/gen-layouts), never edited by hand.
        String committed;
        try (var in = LayoutTable.class.getResourceAsStream(LayoutTable.RESOURCE)) {
            committed = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertEquals(committed, LayoutTableJson.write(LayoutTable.builtIn().releases()));
        assertEquals(SWEEP.stream().flatMap(v -> ARCHS.stream().map(a -> "go" + v + "/" + a)).toList(),
                LayoutTable.builtIn().releases().stream().map(r -> r.goVersion() + "/" + r.goarch()).toList());
    }

    @Test
    void anotherPatchReadsWithItsMinorsEntryAndNothingElseMatches() {
        LayoutTable t = LayoutTable.builtIn();
        assertEquals("go1.26.8", t.find("go1.26.3", "amd64", "").orElseThrow().goVersion());
        assertEquals("go1.22.12", t.find("go1.22.12", "amd64", "").orElseThrow().goVersion());
        assertEquals("go1.27.4", t.find("go1.27rc1", "amd64", "").orElseThrow().goVersion());
        assertEquals(Optional.empty(), t.find("go1.28.0", "amd64", ""));
        assertEquals(Optional.empty(), t.find("go1.17.13", "amd64", ""));
        assertEquals("arm64", t.find("go1.26.8", "arm64", "").orElseThrow().goarch());
        assertEquals(Optional.empty(), t.find("go1.26.8", "riscv64", ""));
        assertEquals(Optional.empty(), t.find("go1.26.8", "amd64", "nocoverageredesign"));
        assertEquals(Optional.empty(), t.find("devel +abcdef", "amd64", ""));
    }
}
