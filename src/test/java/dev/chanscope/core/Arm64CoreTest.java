package dev.chanscope.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.proc.ThreadContext;
import dev.chanscope.testing.SampleCores;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * arm64 cores written by qemu-aarch64-static (docs/arm64.md): the registers chanscope decodes
 * from NT_PRSTATUS's user_pt_regs must be the ones gdb-multiarch shows for every thread; the
 * core's machine must match the binary's; and the host's gdb, which cannot read aarch64, is
 * replaced by gdb-multiarch.
 */
class Arm64CoreTest {

    private static SampleCores.Entry arm64(String name) {
        return SampleCores.forArch("arm64").stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void prstatusRegistersAreTheOnesGdbMultiarchShows() {
        SampleCores.Entry e = arm64("multi-closer");
        List<ElfFile.PrStatus> notes;
        try (ElfFile core = ElfFile.open(e.core())) {
            assertEquals(ElfFile.EM_AARCH64, core.machine());
            notes = core.threads();
        }
        assertTrue(notes.size() >= 2, "threads: " + notes.size());
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            assertEquals(ElfFile.EM_AARCH64, t.machine());
            Map<Integer, ThreadContext> byLwp = t.threads().stream()
                    .collect(Collectors.toMap(ThreadContext::lwp, c -> c));
            assertEquals(notes.size(), byLwp.size());
            for (ElfFile.PrStatus n : notes) {
                ThreadContext g = byLwp.get(n.lwp());
                for (String reg : List.of("x0", "x8", "x28", "x29", "x30", "sp", "pc")) {
                    assertEquals(n.registers().get(reg), g.registers().get(reg), "LWP " + n.lwp() + " " + reg);
                }
                assertEquals(n.registers().get("pc").longValue(), g.pc());
                assertEquals(n.registers().get("sp").longValue(), g.sp());
                assertEquals(n.registers().get("x30").longValue(), g.lr());
                assertEquals(n.registers().get("x29").longValue(), g.bp());
            }
            // the faulting thread comes first, as in the kernel's cores: it raised SIGABRT
            assertEquals(6, notes.get(0).signal());
            assertEquals(notes.get(0).lwp(), t.threads().get(0).lwp());
        }
    }

    /**
     * qemu's cores hold no build id (no byte of the text mapping), but they hold the data
     * segment and with it the binary's .go.buildinfo: another program's binary is refused by it.
     */
    @Test
    void anotherArm64BinaryIsRefusedByItsBuildInfo() {
        SampleCores.Entry core = arm64("multi-closer");
        SampleCores.Entry other = SampleCores.forArch("arm64").stream()
                .filter(e -> e.name().equals("double-close") && e.goVersion().equals(core.goVersion())).findFirst().orElseThrow();
        ChanscopeException x = assertThrows(ChanscopeException.class,
                () -> CoreTarget.open(core.core(), other.binary(), false, "core", "binary").close());
        assertEquals(ExitCode.BINARY_MISMATCH, x.exitCode());
        assertTrue(x.getMessage().contains("does not match core core (its copy of the binary's build info differs)"),
                x.getMessage());
        // its own binary passes the same check
        CoreTarget.open(core.core(), core.binary(), false).close();
    }

    @Test
    void anArm64CoreWithAnAmd64BinaryIsRefusedInOneLine() {
        SampleCores.Entry core = arm64("multi-closer");
        SampleCores.Entry amd64Binary = SampleCores.get(core.goVersion(), "multi-closer");
        ChanscopeException x = assertThrows(ChanscopeException.class,
                () -> CoreTarget.open(core.core(), amd64Binary.binary(), false, "core", "binary").close());
        assertEquals(ExitCode.BINARY_MISMATCH, x.exitCode());
        assertEquals("core core is from arm64 and binary binary is built for amd64: pass the binary that crashed",
                x.getMessage());
        assertFalse(x.getMessage().contains("\n"));
    }
}
