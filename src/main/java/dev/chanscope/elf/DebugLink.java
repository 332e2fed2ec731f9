package dev.chanscope.elf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The {@code .gnu_debuglink} section {@code objcopy --add-gnu-debuglink} writes: the debug
 * file's base name (NUL-terminated, padded to 4 bytes) and the CRC-32 of its contents, the
 * zlib polynomial (binutils' gnu_debuglink_crc32).
 */
public record DebugLink(String fileName, long crc) {

    public static Optional<DebugLink> of(ElfFile exe) {
        Optional<ElfFile.Section> s = exe.section(".gnu_debuglink");
        if (s.isEmpty() || s.get().size() < 8 || s.get().size() > 4096 || s.get().type() == ElfFile.SHT_NOBITS) {
            return Optional.empty();
        }
        byte[] b = exe.readAt(s.get().offset(), (int) s.get().size());
        int nul = 0;
        while (nul < b.length && b[nul] != 0) {
            nul++;
        }
        int crcAt = (nul + 4) & ~3;
        if (nul == 0 || crcAt + 4 > b.length) {
            return Optional.empty();
        }
        String name = new String(b, 0, nul, StandardCharsets.UTF_8);
        if (name.contains("/") || name.equals("..")) {
            return Optional.empty(); // a base name only: never a path out of the searched directories
        }
        long crc = Integer.toUnsignedLong(ByteBuffer.wrap(b, crcAt, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        return Optional.of(new DebugLink(name, crc));
    }

    /** True when {@code file}'s CRC-32 is the one the link records. */
    public boolean matches(Path file) {
        CRC32 c = new CRC32();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                c.update(buf, 0, n);
            }
        } catch (IOException e) {
            return false;
        }
        return c.getValue() == crc;
    }
}
