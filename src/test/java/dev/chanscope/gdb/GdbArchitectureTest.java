package dev.chanscope.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.elf.ElfFile;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The gdb for a target architecture (docs/arm64.md): Debian's amd64 gdb cannot read aarch64
 * (CI installs gdb and gdb-multiarch), so an arm64 session runs gdb-multiarch, and an explicit
 * CHANSCOPE_GDB that cannot is refused in one line naming the fix.
 */
class GdbArchitectureTest {

    @Test
    void theHostGdbReadsAmd64AndNotAarch64() {
        try (GdbSession gdb = GdbSession.start("gdb")) {
            assertTrue(gdb.handles("i386:x86-64"));
            assertFalse(gdb.handles("aarch64"), "Debian's gdb is built for the host only");
            // the probe leaves the architecture to the files loaded next
            assertTrue(gdb.console("show architecture").contains("auto"));
        }
    }

    @Test
    void anArm64SessionRunsGdbMultiarch() {
        try (GdbSession gdb = GdbSession.startFor(ElfFile.EM_AARCH64, Map.of())) {
            assertTrue(gdb.handles("aarch64"));
        }
        try (GdbSession gdb = GdbSession.startFor(ElfFile.EM_X86_64, Map.of())) {
            assertTrue(gdb.handles("i386:x86-64"));
        }
    }

    @Test
    void aConfiguredGdbThatCannotReadTheTargetIsRefused() {
        GdbException x = assertThrows(GdbException.class,
                () -> GdbSession.startFor(ElfFile.EM_AARCH64, Map.of(GdbLauncher.ENV_VAR, "gdb")).close());
        assertEquals("gdb (CHANSCOPE_GDB) cannot read aarch64 code: set CHANSCOPE_GDB to a gdb built for it"
                + " (Debian/Ubuntu: gdb-multiarch)", x.getMessage());
    }

    @Test
    void aMissingGdbMultiarchIsNamedWithItsPackage() {
        GdbException x = assertThrows(GdbException.class,
                () -> GdbSession.startFor(ElfFile.EM_AARCH64, Map.of(), "/nonexistent/gdb-multiarch").close());
        assertEquals("gdb cannot read aarch64 cores and gdb-multiarch is not installed: install it (Debian/Ubuntu:"
                + " apt-get install gdb-multiarch) or set CHANSCOPE_GDB to a gdb built for aarch64", x.getMessage());
        assertEquals(dev.chanscope.ExitCode.GDB, x.exitCode());
    }

    @Test
    void architectureNames() {
        assertEquals(Optional.of("aarch64"), GdbSession.gdbArchitecture(ElfFile.EM_AARCH64));
        assertEquals(Optional.of("i386:x86-64"), GdbSession.gdbArchitecture(ElfFile.EM_X86_64));
        assertEquals(Optional.empty(), GdbSession.gdbArchitecture(243));
    }
}
