package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cached little-endian reads of the pclntab through {@link Memory}. The tables are decoded a
 * byte at a time (varints), and a Memory read per byte would cost an allocation each, or a
 * gdb round trip on the slow path; so the table is read in aligned blocks that are kept for
 * the life of the Pclntab. The pclntab is immutable and at most tens of MB, so no eviction.
 */
final class PclnReader {
    private static final int BLOCK_SHIFT = 14;
    private static final int BLOCK = 1 << BLOCK_SHIFT;

    private final Memory memory;
    private final ConcurrentHashMap<Long, byte[]> blocks = new ConcurrentHashMap<>();

    PclnReader(Memory memory) {
        this.memory = memory;
    }

    int u8(long address) {
        byte[] b = block(address);
        if (b != null) {
            return Byte.toUnsignedInt(b[(int) (address & (BLOCK - 1))]);
        }
        return memory.u8(address);
    }

    long u32(long address) {
        return Integer.toUnsignedLong(i32(address));
    }

    int i32(long address) {
        int off = (int) (address & (BLOCK - 1));
        byte[] b = off <= BLOCK - 4 ? block(address) : null;
        if (b == null) {
            return (int) memory.u32(address);
        }
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    long u64(long address) {
        return (u32(address)) | (u32(address + 4) << 32);
    }

    /** An unsigned integer of the target's pointer size (the pcHeader's int and uintptr fields). */
    long word(long address, int ptrSize) {
        return ptrSize == 8 ? u64(address) : u32(address);
    }

    /** A NUL-terminated UTF-8 string (function and file names). */
    String cString(long address) {
        byte[] buf = new byte[64];
        int n = 0;
        for (long a = address; ; a++) {
            int c = u8(a);
            if (c == 0) {
                break;
            }
            if (n == buf.length) {
                if (n >= 1 << 20) {
                    break; // corrupt table: no name is a megabyte long
                }
                buf = java.util.Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = (byte) c;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** A bulk read (the function table), not cached: it is copied into arrays once. */
    byte[] bytes(long address, int length) {
        return memory.read(address, length);
    }

    /** A cursor for sequential decoding, such as a pc-value table. */
    Cursor cursor(long address) {
        return new Cursor(address);
    }

    /**
     * The block holding {@code address}, or null when the whole block cannot be read (it runs
     * past the end of a mapping): then callers read the bytes they need one by one.
     */
    private byte[] block(long address) {
        long index = address >>> BLOCK_SHIFT;
        byte[] b = blocks.get(index);
        if (b == null) {
            try {
                b = memory.read(index << BLOCK_SHIFT, BLOCK);
            } catch (MemoryAccessException e) {
                return null;
            }
            blocks.putIfAbsent(index, b);
        }
        return b;
    }

    /** Reads forward from an address; not thread-safe, one per decoding. */
    final class Cursor {
        private long address;
        // The block under the cursor, so that sequential bytes cost an array access each.
        private byte[] current;
        private long currentBase = -1;

        private Cursor(long address) {
            this.address = address;
        }

        int next() {
            long a = address++;
            if ((a & -BLOCK) != currentBase) {
                currentBase = a & -BLOCK;
                current = block(a);
            }
            return current != null ? Byte.toUnsignedInt(current[(int) (a & (BLOCK - 1))]) : memory.u8(a);
        }

        /**
         * An unsigned LEB128 varint of at most 32 bits whose first byte, already read, is
         * {@code first} (runtime.readvarint; the runtime's step reads one byte before deciding).
         */
        long uvarint(int first) {
            long v = first & 0x7f;
            for (int shift = 7, b = first; (b & 0x80) != 0 && shift <= 28; shift += 7) {
                b = next();
                v |= (long) (b & 0x7f) << shift;
            }
            return v & 0xffffffffL;
        }
    }
}
