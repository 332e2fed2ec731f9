package dev.chanscope.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.testing.SampleCores;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The block cache that reads large cores (so their pages do not stay resident) returns the same
 * bytes as the mapped windows: on a real core, at random offsets, across block boundaries, for
 * every width, and with bulk reads larger than a block; and the same errors past the end.
 */
class ElfBytesBlocksTest {
    @Test
    void blocksReadWhatTheMappingReads() throws Exception {
        Path core = SampleCores.get(SampleCores.goVersions().get(SampleCores.goVersions().size() - 1), "many-goroutines")
                .core();
        long size = Files.size(core);
        try (FileChannel ch = FileChannel.open(core, StandardOpenOption.READ)) {
            ElfBytes mapped = new ElfBytes(ch, size, Long.MAX_VALUE);
            ElfBytes blocks = new ElfBytes(ch, size, 0);
            List<Long> offsets = new ArrayList<>();
            Random r = new Random(17);
            for (int i = 0; i < 20_000; i++) {
                offsets.add(Math.floorMod(r.nextLong(), size - 16));
            }
            for (long b = ElfBytes.Blocks.SIZE; b < size - 16; b += ElfBytes.Blocks.SIZE) {
                for (int d = -7; d <= 0; d++) {
                    offsets.add(b + d); // words that straddle two blocks
                }
            }
            for (long o : offsets) {
                assertEquals(mapped.u8(o), blocks.u8(o), "u8 at " + o);
                assertEquals(mapped.u16(o), blocks.u16(o), "u16 at " + o);
                assertEquals(mapped.u32(o), blocks.u32(o), "u32 at " + o);
                assertEquals(mapped.i32(o), blocks.i32(o), "i32 at " + o);
                assertEquals(mapped.u64(o), blocks.u64(o), "u64 at " + o);
            }
            for (int len : new int[] {1, 300, ElfBytes.Blocks.SIZE - 1, ElfBytes.Blocks.SIZE, 3 * ElfBytes.Blocks.SIZE + 5}) {
                for (int i = 0; i < 50; i++) {
                    long o = Math.floorMod(r.nextLong(), size - len);
                    assertArrayEquals(mapped.read(o, len), blocks.read(o, len), len + " bytes at " + o);
                }
            }
            assertArrayEquals(mapped.read(size - 10, 10), blocks.read(size - 10, 10));
            assertThrows(MemoryAccessException.class, () -> blocks.u64(size - 4));
            assertThrows(MemoryAccessException.class, () -> blocks.read(size - 4, 8));
        }
    }
}
