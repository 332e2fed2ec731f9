package dev.chanscope.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.proc.MemoryAccessException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs that are not a 64-bit little-endian ELF file get one line saying so (exit code BAD_INPUT). */
class ElfFileBadInputTest {
    @TempDir
    Path dir;

    private String rejected(Path p) {
        ChanscopeException e = assertThrows(ChanscopeException.class, () -> ElfFile.open(p).close());
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        return e.getMessage();
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private Path goBinaryPrefix(String name, int length) throws IOException {
        Path exe = ElfFileExecutableTest.unxz("inlines-go126.xz", dir);
        return write(name, Arrays.copyOf(Files.readAllBytes(exe), length));
    }

    @Test
    void missingFile() {
        assertTrue(rejected(dir.resolve("no-such-core")).endsWith("does not exist"));
    }

    @Test
    void directory() {
        assertTrue(rejected(dir).contains("is a directory"));
    }

    @Test
    void emptyFile() throws IOException {
        assertTrue(rejected(write("empty", new byte[0])).endsWith("is empty"));
    }

    @Test
    void textFile() throws IOException {
        Path p = write("notes.txt", "goroutine 1 [running]:\nmain.main()\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(p + " is not an ELF file", rejected(p));
        assertEquals(dir.resolve("tiny") + " is not an ELF file", rejected(write("tiny", new byte[] {0x7f, 'E', 'L'})));
    }

    @Test
    void truncatedElfHeader() throws IOException {
        Path p = goBinaryPrefix("head40", 40);
        assertEquals(p + " is truncated: its ELF header needs 64 bytes but the file has 40", rejected(p));
    }

    @Test
    void thirtyTwoBit() throws IOException {
        // A hand-made ELF32 header (52 bytes): class 1, little-endian, ET_EXEC, EM_386.
        ByteBuffer b = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0});
        b.position(16);
        b.putShort((short) 2).putShort((short) 3).putInt(1).putInt(0x8048000).putInt(52).putInt(0).putInt(0);
        b.putShort((short) 52).putShort((short) 32).putShort((short) 0).putShort((short) 40).putShort((short) 0).putShort((short) 0);
        assertTrue(rejected(write("elf32", b.array())).contains("is a 32-bit ELF file"));
    }

    @Test
    void bigEndian() throws IOException {
        byte[] h = new byte[64];
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 2, 1}, 0, h, 0, 7);
        assertTrue(rejected(write("elf64be", h)).contains("is a big-endian ELF file"));
    }

    @Test
    void truncatedProgramHeaders() throws IOException {
        // The Go linker puts 6 program headers at offset 64: they need 400 bytes.
        Path p = goBinaryPrefix("head100", 100);
        assertEquals(p + " is truncated: its program headers end at byte 400 but the file has 100 bytes", rejected(p));
    }

    @Test
    void truncatedSectionHeaders() throws IOException {
        // ... and 26 section headers at 0x190: they end at byte 2064.
        Path p = goBinaryPrefix("head1024", 1024);
        assertEquals(p + " is truncated: its section headers end at byte 2064 but the file has 1024 bytes", rejected(p));
    }

    @Test
    void readsPastTheEndThrow() throws IOException {
        Path exe = ElfFileExecutableTest.unxz("inlines-go122.xz", dir);
        try (ElfFile f = ElfFile.open(exe)) {
            MemoryAccessException e = assertThrows(MemoryAccessException.class, () -> f.readAt(f.fileSize() - 4, 8));
            assertEquals(f.fileSize() - 4, e.address());
            assertEquals(4, f.readAt(f.fileSize() - 4, 4).length);
        }
    }
}
