package dev.chanscope.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-built ELF files for what no small real file shows: data beyond 2 GB and across the
 * 1 GB mapping windows (written sparse, so they cost no disk), and the extended program header
 * count of cores with 65535 or more mappings.
 */
class ElfSyntheticTest {
    private static final long WINDOW = 1L << 30;

    @TempDir
    Path dir;

    /** An ELF64 header, program headers right after it, and optionally one section header. */
    private static ByteBuffer header(int type, int phnumField, int phCount, long shoff, int shnum) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 * phCount).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.position(16);
        b.putShort((short) type).putShort((short) ElfFile.EM_X86_64).putInt(1).putLong(0).putLong(64).putLong(shoff)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) phnumField)
                .putShort((short) 64).putShort((short) shnum).putShort((short) 0);
        return b;
    }

    private static void phdr(ByteBuffer b, int index, int type, long offset, long vaddr, long filesz, long memsz) {
        b.position(64 + 56 * index);
        b.putInt(type).putInt(6).putLong(offset).putLong(vaddr).putLong(0).putLong(filesz).putLong(memsz).putLong(0x1000);
    }

    private static void write(RandomAccessFile f, long at, byte[] data) throws IOException {
        f.seek(at);
        f.write(data);
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return b;
    }

    @Test
    void coreLargerThanTwoGigabytes() throws IOException {
        Path p = dir.resolve("big.core");
        long acrossWindow = WINDOW - 16;
        long pastTwoGb = 0xA000_0000L;
        byte[] first = pattern(32, 1);
        byte[] second = pattern(16, 99);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            ByteBuffer h = header(ElfFile.ET_CORE, 2, 2, 0, 0);
            phdr(h, 0, ElfFile.PT_LOAD, acrossWindow, 0x10000, 32, 32);
            phdr(h, 1, ElfFile.PT_LOAD, pastTwoGb, 0x20000, 16, 0x1000);
            write(f, 0, h.array());
            write(f, acrossWindow, first);
            write(f, pastTwoGb, second);
        }
        try (ElfFile core = ElfFile.open(p)) {
            assertEquals(pastTwoGb + 16, core.fileSize());
            // A segment straddling the first 1 GB window boundary reads whole, word by word too.
            assertArrayEquals(first, core.readVirtual(0x10000, 32).orElseThrow());
            ByteBuffer expect = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 8 <= 32; i++) {
                ElfVirtualMemory m = new ElfVirtualMemory(core);
                assertEquals(expect.getLong(i), m.u64(0x10000 + i), "word at +" + i);
            }
            assertArrayEquals(first, core.readAt(acrossWindow, 32));
            // Data beyond 2 GB, at the very end of the file.
            assertArrayEquals(second, core.readVirtual(0x20000, 16).orElseThrow());
            // In a core, memsz beyond filesz was not dumped: absent.
            assertTrue(core.readVirtual(0x20010, 8).isEmpty());
            assertTrue(core.readVirtual(0x2000c, 8).isEmpty());
        }
    }

    @Test
    void executableBssReadsAsZero() throws IOException {
        Path p = dir.resolve("exe");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            ByteBuffer h = header(ElfFile.ET_EXEC, 1, 1, 0, 0);
            phdr(h, 0, ElfFile.PT_LOAD, 0x100, 0x400100, 16, 0x100);
            write(f, 0, h.array());
            write(f, 0x100, pattern(16, 5));
        }
        try (ElfFile exe = ElfFile.open(p)) {
            byte[] expect = new byte[32];
            System.arraycopy(pattern(16, 5), 0, expect, 0, 16);
            assertArrayEquals(expect, exe.readVirtual(0x400100, 32).orElseThrow());
            assertArrayEquals(new byte[16], exe.readVirtual(0x4001f0, 16).orElseThrow());
            assertTrue(exe.readVirtual(0x4001f8, 16).isEmpty());
        }
    }

    @Test
    void extendedProgramHeaderCount() throws IOException {
        // As the kernel writes a core of more than 65534 mappings (fs/binfmt_elf.c): e_phnum
        // is PN_XNUM, and the one section header, at the end of the file, holds the count in
        // sh_info. Three segments stand in for the 65535+.
        Path p = dir.resolve("xnum.core");
        int count = 3;
        long shoff = 0x2000;
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            ByteBuffer h = header(ElfFile.ET_CORE, 0xffff, count, shoff, 1);
            for (int i = 0; i < count; i++) {
                phdr(h, i, ElfFile.PT_LOAD, 0x1000 + 0x10L * i, 0x7000_0000L + 0x1000L * i, 0x10, 0x10);
            }
            write(f, 0, h.array());
            write(f, 0x1000, pattern(0x30, 3));
            ByteBuffer sh = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            sh.putInt(0).putInt(0).putLong(0).putLong(0).putLong(0).putLong(1).putInt(0).putInt(count);
            write(f, shoff, sh.array());
        }
        try (ElfFile core = ElfFile.open(p)) {
            assertEquals(count, core.segments().size());
            assertEquals(List.of(""), core.sections().stream().map(ElfFile.Section::name).toList());
            assertEquals(0x1020, core.segments().get(2).offset());
            byte[] third = new byte[0x10];
            System.arraycopy(pattern(0x30, 3), 0x20, third, 0, 0x10);
            assertArrayEquals(third, core.readVirtual(0x7000_2000L, 0x10).orElseThrow());
        }
    }
}
