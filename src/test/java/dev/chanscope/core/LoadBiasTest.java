package dev.chanscope.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.SnapshotReader;
import dev.chanscope.goruntime.StackUnwinder;
import dev.chanscope.testing.SampleCores;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A position-independent executable runs at a random load bias. On every sample core the bias
 * chanscope uses agrees with the one the NT_FILE mappings give, and through it the executable's
 * symbols and file-backed memory read what the runtime wrote.
 */
class LoadBiasTest {
    static Stream<SampleCores.Entry> cores() {
        return SampleCores.all().stream();
    }

    static Stream<SampleCores.Entry> pieCores() {
        return SampleCores.all().stream().filter(LoadBiasTest::isPie);
    }

    private static boolean isPie(SampleCores.Entry e) {
        try (ElfFile exe = ElfFile.open(e.binary())) {
            return exe.type() == ElfFile.ET_DYN;
        }
    }

    @Test
    void theMatrixHasPositionIndependentSamples() {
        assertTrue(pieCores().count() >= 4, "expected PIE sample cores (-buildmode=pie, cgo PIE)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cores")
    void theBiasAgreesWithTheMappingsOfTheExecutable(SampleCores.Entry e) {
        try (ElfFile core = ElfFile.open(e.core()); ElfFile exe = ElfFile.open(e.binary())) {
            LoadBias b = LoadBias.ofCore(core, exe);
            if (exe.type() == ElfFile.ET_EXEC) {
                assertEquals(LoadBias.FIXED, b);
                return;
            }
            assertEquals("AT_ENTRY", b.source());
            assertNotEquals(0, b.value());
            assertEquals(0, b.value() & 0xfff, "a load bias is page-aligned");
            // Independently: the mapping that holds AT_PHDR names the file; its offset-0 mapping
            // is where the lowest PT_LOAD page went.
            long phdr = core.auxv(LoadBias.AT_PHDR).orElseThrow();
            String path = core.mappedFiles().stream().filter(m -> phdr >= m.start() && phdr < m.end())
                    .findFirst().orElseThrow().path();
            long start = core.mappedFiles().stream().filter(m -> m.path().equals(path) && m.fileOffset() == 0)
                    .findFirst().orElseThrow().start();
            assertEquals(start - LoadBias.firstLoadPage(exe), b.value());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pieCores")
    void symbolsAndFileBackedMemoryAreRelocated(SampleCores.Entry e) {
        try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
            long bias = t.loadBias().value();
            long linked = t.executableFile().symbolAddress("runtime.buildVersion").orElseThrow();
            assertEquals(linked + bias, t.symbolAddress("runtime.buildVersion").orElseThrow());
            // The version string's bytes are in .rodata, which the core does not hold: they come
            // from the executable's file, read at the run-time address minus the bias.
            String v = t.memory().goString(t.memory().u64(linked + bias), t.memory().u64(linked + bias + 8), 64);
            assertEquals("go" + e.goVersion(), v);
            assertFalse(new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(GoRuntime.of(t), List.of())
                    .goroutines().isEmpty());
        }
    }

    /**
     * A PIE core whose NT_AUXV lost AT_ENTRY and AT_PHDR, analyzed with the binary under another
     * name (so no NT_FILE mapping is recognisably it): the load address is unknown, and the result
     * is a refusal naming why (exit 3), never a report that there was no panic.
     */
    @Test
    void anUnknownLoadAddressIsAnErrorNotAnEmptyReport(@TempDir Path dir) throws Exception {
        SampleCores.Entry e = pieCores().findFirst().orElseThrow();
        Path core = dir.resolve("core");
        Files.write(core, withoutAuxvKeys(Files.readAllBytes(e.core())));
        Path binary = dir.resolve("renamed-binary");
        Files.copy(e.binary(), binary);
        try (CoreTarget t = CoreTarget.open(core, binary, false)) {
            assertTrue(t.loadBias().unknown());
            assertTrue(t.warnings().stream().anyMatch(w -> w.contains("position-independent")), t.warnings().toString());
            ChanscopeException x = assertThrows(ChanscopeException.class,
                    () -> new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(GoRuntime.of(t), t.warnings()));
            assertEquals(ExitCode.BAD_INPUT, x.exitCode());
        }
    }

    /** The core with NT_AUXV's AT_PHDR (3) and AT_ENTRY (9) keys renamed to unknown ones. */
    private static byte[] withoutAuxvKeys(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = buf.getLong(32);
        int phnum = Short.toUnsignedInt(buf.getShort(56));
        int renamed = 0;
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + 56L * i);
            if (buf.getInt(p) != ElfFile.PT_NOTE) {
                continue;
            }
            long off = buf.getLong(p + 8);
            long end = off + buf.getLong(p + 32);
            for (long q = off; q < end; ) {
                int nsz = buf.getInt((int) q);
                int dsz = buf.getInt((int) q + 4);
                int type = buf.getInt((int) q + 8);
                long d = q + 12 + ((nsz + 3) & ~3);
                if (type == ElfFile.NT_AUXV) {
                    for (long k = d; k + 16 <= d + dsz; k += 16) {
                        long key = buf.getLong((int) k);
                        if (key == LoadBias.AT_PHDR || key == LoadBias.AT_ENTRY) {
                            buf.putLong((int) k, 0x7fff0000L + key);
                            renamed++;
                        }
                    }
                }
                q = d + ((dsz + 3) & ~3);
            }
        }
        assertEquals(2, renamed, "AT_PHDR and AT_ENTRY in the core's NT_AUXV");
        return b;
    }
}
