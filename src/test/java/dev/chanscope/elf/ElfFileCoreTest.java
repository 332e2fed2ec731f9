package dev.chanscope.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ElfFile on a real core of a three-thread C program (src/test/resources/elf/sleeper.c).
 * Every expected value is gdb's or readelf's answer on the same core, kept in
 * sleeper-core-recorded.txt; together they pin the x86_64 elf_prstatus and elf_prpsinfo
 * offsets (pr_pid 32, pr_reg 112, pr_fname 40, pr_psargs 56).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ElfFileCoreTest {
    private static final String EXE = "/tmp/elfwork/core/sleeper";
    private static final String LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    private static final String LD = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";

    private Path dir;
    private ElfFile core;

    @BeforeAll
    void unpack() throws IOException {
        dir = Files.createTempDirectory("elf-core-test");
        core = ElfFile.open(ElfFileExecutableTest.unxz("sleeper-core.xz", dir));
    }

    @AfterAll
    void cleanUp() throws IOException {
        core.close();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Test
    void header() {
        assertEquals(ElfFile.ET_CORE, core.type());
        assertEquals(ElfFile.EM_X86_64, core.machine());
        assertTrue(core.sections().isEmpty());
        // readelf -lW: one NOTE and 28 LOAD segments.
        assertEquals(29, core.segments().size());
        assertEquals(new ElfFile.Segment(ElfFile.PT_NOTE, 0, 0x698, 0, 0x2ddc, 0), core.segments().get(0));
        assertEquals(new ElfFile.Segment(ElfFile.PT_LOAD, 4, 0x102b000, 0x7f7527813000L, 0x1000, 0x26000),
                core.segments().get(12));
        assertEquals(28, core.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD).count());
    }

    @Test
    void notes() {
        // readelf -n: PRSTATUS, PRPSINFO, SIGINFO, AUXV, FILE, FPREGSET, X86_XSTATE, then
        // PRSTATUS, FPREGSET, X86_XSTATE for each other thread, then one LINUX 0x205.
        List<ElfFile.Note> notes = core.notes();
        assertEquals(14, notes.size());
        assertEquals(List.of(1, 3, 0x53494749, 6, ElfFile.NT_FILE, 2, 0x202),
                notes.subList(0, 7).stream().map(ElfFile.Note::type).toList());
        assertEquals("CORE", notes.get(0).name());
        assertEquals("LINUX", notes.get(6).name());
        assertEquals(0x150, notes.get(0).desc().length);
        assertEquals(0x88, notes.get(1).desc().length);
        assertEquals(0x399, notes.get(4).desc().length);
        assertEquals(0x205, notes.get(13).type());
    }

    @Test
    void threads() {
        List<ElfFile.PrStatus> threads = core.threads();
        // gdb "info threads": LWP 7468 received the signal (SIGABRT), then 7469 and 7470.
        assertEquals(List.of(7468, 7469, 7470), threads.stream().map(ElfFile.PrStatus::lwp).toList());
        threads.forEach(t -> assertEquals(6, t.signal()));
        threads.forEach(t -> assertEquals(27, t.registers().size()));

        // gdb "info registers" of thread 1 (LWP 7468), every general register.
        Map<String, Long> r = threads.get(0).registers();
        Map<String, Long> gdb = Map.ofEntries(
                Map.entry("rax", 0x0L), Map.entry("rbx", 0x1d2cL), Map.entry("rcx", 0x7f752789deecL),
                Map.entry("rdx", 0x6L), Map.entry("rsi", 0x1d2cL), Map.entry("rdi", 0x1d2cL),
                Map.entry("rbp", 0x7f7527810740L), Map.entry("rsp", 0x7fffc1733a50L), Map.entry("r8", 0x0L),
                Map.entry("r9", 0x7fffc1733a77L), Map.entry("r10", 0x8L), Map.entry("r11", 0x246L),
                Map.entry("r12", 0x6L), Map.entry("r13", 0x7fffc1733ca8L), Map.entry("r14", 0x555e4e879dd8L),
                Map.entry("r15", 0x7f7527a3b020L), Map.entry("rip", 0x7f752789deecL), Map.entry("eflags", 0x246L),
                Map.entry("cs", 0x33L), Map.entry("ss", 0x2bL), Map.entry("ds", 0x0L), Map.entry("es", 0x0L),
                Map.entry("fs", 0x0L), Map.entry("gs", 0x0L), Map.entry("fs_base", 0x7f7527810740L),
                Map.entry("gs_base", 0x0L), Map.entry("orig_rax", 0xeaL));
        gdb.forEach((name, value) -> assertEquals(value, r.get(name), name));

        // The two sleepers, in clock_nanosleep.
        Map<String, Long> t2 = threads.get(1).registers();
        assertEquals(0x7f75278e2545L, t2.get("rip"));
        assertEquals(0x7f752780ee50L, t2.get("rsp"));
        assertEquals(0x7f752780f6c0L, t2.get("fs_base"));
        assertEquals(0xe6L, t2.get("orig_rax"));
        assertEquals(0xfffffffffffffdfcL, t2.get("rax"));
        Map<String, Long> t3 = threads.get(2).registers();
        assertEquals(0x7f75278e2545L, t3.get("rip"));
        assertEquals(0x7f752700de50L, t3.get("rsp"));
        assertEquals(0x7f752700e6c0L, t3.get("fs_base"));
        assertEquals(0x7f752680e000L, t3.get("r15"));
    }

    @Test
    void process() {
        // gdb: "Core was generated by `./sleeper first-arg second arg'."
        assertEquals(Optional.of("./sleeper first-arg second arg"), core.commandLine());
        assertEquals(Optional.of("sleeper"), core.processName());
        // gdb "info auxv": AT_ENTRY, AT_PAGESZ, AT_PHDR.
        assertEquals(OptionalLong.of(0x555e4e877080L), core.auxv(9));
        assertEquals(OptionalLong.of(4096), core.auxv(6));
        assertEquals(OptionalLong.of(0x555e4e876040L), core.auxv(3));
        assertTrue(core.auxv(0x7777).isEmpty());
    }

    @Test
    void mappedFiles() {
        // gdb "info proc mappings" (which reads NT_FILE).
        List<ElfFile.MappedFile> files = core.mappedFiles();
        assertEquals(15, files.size());
        assertEquals(new ElfFile.MappedFile(0x555e4e876000L, 0x555e4e877000L, 0x0, EXE), files.get(0));
        assertEquals(new ElfFile.MappedFile(0x555e4e879000L, 0x555e4e87a000L, 0x2000, EXE), files.get(3));
        assertEquals(new ElfFile.MappedFile(0x7f7527839000L, 0x7f752798f000L, 0x26000, LIBC), files.get(6));
        assertEquals(new ElfFile.MappedFile(0x7f75279e6000L, 0x7f75279e8000L, 0x1d3000, LIBC), files.get(9));
        assertEquals(new ElfFile.MappedFile(0x7f7527a3b000L, 0x7f7527a3d000L, 0x33000, LD), files.get(14));
        assertEquals(5, files.stream().filter(f -> f.path().equals(EXE)).count());
    }

    @Test
    void readVirtual() {
        // gdb "x/2gx $rsp" on thread 1.
        byte[] stack = core.readVirtual(0x7fffc1733a50L, 16).orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(stack).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0L, b.getLong(0));
        assertEquals(0x8f241d0349c00600L, b.getLong(8));
        // gdb "x/s 0x7fffc1735fee": AT_EXECFN.
        assertArrayEquals("./sleeper\0".getBytes(StandardCharsets.US_ASCII),
                core.readVirtual(0x7fffc1735feeL, 10).orElseThrow());
        // The ELF header page of libc was dumped (filesz 0x1000)...
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, core.readVirtual(0x7f7527813000L, 4).orElseThrow());
        // ...the rest of that mapping was not (memsz 0x26000): absent, not zeros.
        assertTrue(core.readVirtual(0x7f7527814000L, 8).isEmpty());
        assertTrue(core.readVirtual(0x7f7527813ffcL, 8).isEmpty(), "a range running into the undumped part");
        // libc text: filesz 0.
        assertTrue(core.readVirtual(0x7f752789deecL, 1).isEmpty());
        // vsyscall page at the top of the address space (its end wraps to 2^64).
        assertTrue(core.readVirtual(0xffffffffff600000L, 8).isPresent());
        assertTrue(core.readVirtual(0xfffffffffffffff8L, 8).isEmpty());
        // The two adjacent anonymous mappings of thread stacks read across their boundary.
        assertTrue(core.readVirtual(0x7f752780fffcL, 8).isPresent());
    }

    @Test
    void truncatedCore() throws IOException {
        Path whole = dir.resolve("sleeper-core");
        Path half = dir.resolve("sleeper-core-half");
        long size = Files.size(whole);
        try (var in = Files.newInputStream(whole); var out = Files.newOutputStream(half)) {
            out.write(in.readNBytes((int) (size / 2)));
        }
        try (ElfFile cut = ElfFile.open(half)) {
            assertEquals(size / 2, cut.fileSize());
            // Headers and notes are at the start and survive.
            assertEquals(3, cut.threads().size());
            assertEquals(Optional.of("./sleeper first-arg second arg"), cut.commandLine());
            // The stack of thread 1 is near the end of the file: gone, and reported absent.
            assertTrue(cut.readVirtual(0x7fffc1733a50L, 16).isEmpty());
            // The main executable's data (file offset 0x6000) is in the first half.
            assertArrayEquals(core.readVirtual(0x555e4e87a000L, 64).orElseThrow(),
                    cut.readVirtual(0x555e4e87a000L, 64).orElseThrow());
            // The segment cut in the middle: its first bytes are there, its last are not.
            ElfFile.Segment cutSeg = cut.segments().stream()
                    .filter(s -> s.type() == ElfFile.PT_LOAD && s.offset() < size / 2 && s.offset() + s.filesz() > size / 2)
                    .findFirst().orElseThrow();
            assertTrue(cut.readVirtual(cutSeg.vaddr(), 8).isPresent());
            assertTrue(cut.readVirtual(cutSeg.vaddr() + cutSeg.filesz() - 8, 8).isEmpty());
        }
    }
}
