package dev.chanscope.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.core.LoadBias;
import dev.chanscope.elf.BuildDebugInfo;
import dev.chanscope.elf.BuildIds;
import dev.chanscope.elf.BuildMatch;
import dev.chanscope.elf.CoreBuildIds;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Build ids read from inside real cores, and how a binary is judged against them. */
class CoreBuildIdsTest {
    @TempDir
    Path tmp;

    @Test
    void everySampleCoreYieldsItsBinarysGoBuildIdFromItsOwnMemory() {
        for (SampleCores.Entry e : SampleCores.all()) {
            try (ElfFile core = ElfFile.open(e.core()); ElfFile bin = ElfFile.open(e.binary())) {
                CoreBuildIds c = CoreBuildIds.read(core);
                BuildIds b = BuildIds.of(bin);
                assertTrue(b.go().isPresent(), e + ": the binary has a Go build id");
                if (e.arch().equals("arm64")) {
                    // qemu-user writes these cores (docs/arm64.md) and, unlike the kernel, does not
                    // dump the first page of the executable's text mapping, where the Go build id
                    // note lies: the core has none (the text is read from the binary)
                    assertEquals(Optional.empty(), c.ids().go(), e + ": qemu's core holds no text page");
                    continue;
                }
                assertEquals(b.go(), c.ids().go(), e + ": Go build id in the core");
                // Go's own linker keeps the GNU note outside its PT_NOTE, so the core does not show
                // it; the system linker (external linking: cgo, -race, -linkmode=external) puts it in
                // a PT_NOTE, which the core holds when the kernel dumped that page (the cgo and
                // extlink samples do, the -race one does not): absent, or the binary's own
                boolean externalLink = Set.of("cgo", "cgopie", "race", "extlink").contains(e.build());
                if (externalLink && c.ids().gnu().isPresent()) {
                    assertEquals(b.gnu(), c.ids().gnu(), e.toString());
                } else {
                    assertEquals(Optional.empty(), c.ids().gnu(), e.toString());
                }
                // the executable's ELF header is at its lowest load address (non-PIE: 0x400000),
                // plus the load bias for a PIE
                long lowest = bin.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD)
                        .mapToLong(ElfFile.Segment::vaddr).min().orElseThrow();
                assertEquals(lowest + LoadBias.ofCore(core, bin).value(), c.base().orElseThrow(), e.toString());
                assertTrue(c.executable().orElseThrow().endsWith("/" + e.name()), e + ": " + c.executable());
                BuildMatch m = BuildMatch.compare(c.ids(), b);
                assertTrue(m.matches(), e.toString());
                // the GNU id decides where the core has one
                assertEquals(Optional.of(c.ids().gnu().isPresent() ? BuildIds.Kind.GNU : BuildIds.Kind.GO), m.kind(),
                        e.toString());
            }
        }
    }

    @Test
    void gnuIdsDependOnTheGoVersion() {
        // Go 1.22 writes no GNU build id, Go 1.26 does: the comparison must not need one.
        try (ElfFile old = ElfFile.open(Inputs.oldest("multi-closer").binary());
                ElfFile neu = ElfFile.open(Inputs.newest("multi-closer").binary())) {
            assertEquals(Optional.empty(), old.gnuBuildId());
            assertTrue(neu.gnuBuildId().orElseThrow().matches("[0-9a-f]{40}"));
        }
    }

    @Test
    void anotherProgramsBinaryIsAMismatchNamingBothGoIds() {
        SampleCores.Entry core = Inputs.newest("multi-closer");
        SampleCores.Entry other = Inputs.newest("double-close");
        try (ElfFile c = ElfFile.open(core.core()); ElfFile b = ElfFile.open(other.binary())) {
            BuildIds coreIds = CoreBuildIds.read(c).ids();
            BuildMatch m = BuildMatch.compare(coreIds, BuildIds.of(b));
            assertEquals(BuildMatch.Verdict.MISMATCH, m.verdict());
            String msg = m.mismatchMessage("./x", "c");
            assertTrue(msg.startsWith("binary ./x (Go build id " + BuildIds.of(b).go().orElseThrow()
                    + ") does not match core c (Go build id " + coreIds.go().orElseThrow() + "): pass the binary that"
                    + " crashed, or --binary-search DIR, or --force"), msg);
            assertFalse(m.sameMainPackage());
        }
    }

    @Test
    void theSameProgramFromAnotherGoVersionIsAMismatch() {
        try (ElfFile c = ElfFile.open(Inputs.newest("multi-closer").core());
                ElfFile b = ElfFile.open(Inputs.oldest("multi-closer").binary())) {
            assertEquals(BuildMatch.Verdict.MISMATCH, BuildMatch.compare(CoreBuildIds.read(c).ids(), BuildIds.of(b)).verdict());
        }
    }

    @Test
    void aStrippedBuildOfTheSameSourceSharesOnlyTheMainPackagesId() throws Exception {
        Path stripped = Inputs.strippedBinary(tmp);
        // the sample of the same Go release: another release compiles the same source differently
        SampleCores.Entry dc = SampleCores.get(Inputs.STRIPPED_GO, "double-close");
        try (ElfFile s = ElfFile.open(stripped); ElfFile c = ElfFile.open(dc.core());
                ElfFile mc = ElfFile.open(SampleCores.get(Inputs.STRIPPED_GO, "multi-closer").core())) {
            BuildDebugInfo info = BuildDebugInfo.of(s);
            assertFalse(info.hasDwarf());
            assertFalse(info.hasSymtab());
            BuildMatch m = BuildMatch.compare(CoreBuildIds.read(c).ids(), BuildIds.of(s));
            assertEquals(BuildMatch.Verdict.MISMATCH, m.verdict(), "-s -w changes the Go build id");
            assertTrue(m.sameMainPackage());
            assertTrue(m.mismatchMessage("s", "c").contains("same compiled main package"), m.mismatchMessage("s", "c"));
            assertFalse(BuildMatch.compare(CoreBuildIds.read(mc).ids(), BuildIds.of(s)).sameMainPackage());
        }
        try (ElfFile full = ElfFile.open(dc.binary())) {
            assertTrue(BuildDebugInfo.of(full).hasDwarf());
            assertTrue(BuildDebugInfo.of(full).hasSymtab());
        }
    }

    @Test
    void aCCoreYieldsTheGnuIdThatReadelfPrints() throws Exception {
        Inputs.CCore c = Inputs.cCore(tmp.resolve("c"), "");
        String readelf = exec("readelf", "-n", c.binary().toString());
        Matcher id = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(readelf);
        assertTrue(id.find(), readelf);
        try (ElfFile core = ElfFile.open(c.core()); ElfFile bin = ElfFile.open(c.binary())) {
            CoreBuildIds ids = CoreBuildIds.read(core);
            assertEquals(Optional.of(id.group(1)), ids.ids().gnu());
            assertEquals(Optional.empty(), ids.ids().go());
            assertEquals(Optional.of(c.binary().toRealPath().toString()), ids.executable());
            assertEquals(ElfFile.ET_DYN, bin.type(), "gcc builds PIE here: the base comes from AT_PHDR, not 0x400000");
            assertNotEquals(0x400000L, ids.base().orElseThrow());
            assertTrue(BuildMatch.compare(ids.ids(), BuildIds.of(bin)).matches());
        }
        // Against Go binaries: Go 1.26 has a GNU id (another one), Go 1.22 none at all.
        try (ElfFile core = ElfFile.open(c.core()); ElfFile go126 = ElfFile.open(Inputs.newest("multi-closer").binary());
                ElfFile go122 = ElfFile.open(Inputs.oldest("multi-closer").binary())) {
            BuildIds ids = CoreBuildIds.read(core).ids();
            BuildMatch a = BuildMatch.compare(ids, BuildIds.of(go126));
            assertEquals(BuildMatch.Verdict.MISMATCH, a.verdict());
            assertEquals(Optional.of(BuildIds.Kind.GNU), a.kind());
            BuildMatch b = BuildMatch.compare(ids, BuildIds.of(go122));
            assertEquals(BuildMatch.Verdict.MISMATCH, b.verdict());
            assertEquals("no GNU build id", b.binarySide());
        }
    }

    @Test
    void aCoreWithoutItsExecutablesFirstPageHasNoIdsAndJudgesNothing() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        Path damaged = Files.copy(e.core(), tmp.resolve("core"));
        try (ElfFile core = ElfFile.open(e.core())) {
            long off = Inputs.fileOffset(core, CoreBuildIds.read(core).base().orElseThrow());
            try (var ch = java.nio.channels.FileChannel.open(damaged, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.allocate(4096), off); // the ELF header page, zeroed
            }
        }
        try (ElfFile core = ElfFile.open(damaged); ElfFile bin = ElfFile.open(e.binary())) {
            CoreBuildIds ids = CoreBuildIds.read(core);
            assertTrue(ids.ids().isEmpty());
            assertTrue(ids.executable().isPresent(), "the path comes from NT_FILE, which is intact");
            assertEquals(BuildMatch.Verdict.UNKNOWN, BuildMatch.compare(ids.ids(), BuildIds.of(bin)).verdict());
        }
    }

    private static String exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        return out;
    }
}
