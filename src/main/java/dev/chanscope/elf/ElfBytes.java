package dev.chanscope.elf;

import dev.chanscope.proc.MemoryAccessException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Random access to a file's bytes through memory-mapped windows. A single MappedByteBuffer is
 * limited to 2 GB and cores of 100,000 goroutines are bigger, so the file is mapped in 1 GB
 * windows, each on first use: opening a 300 GB core maps nothing until something is read.
 * Windows overlap by {@link #OVERLAP} bytes so that every read of up to that size (all header,
 * note and word reads) lies in one window and costs no copy through an intermediate array.
 *
 * <p>A file larger than {@link #MAP_LIMIT} (a core of hundreds of thousands of goroutines) is
 * read with positional reads through a small cache of blocks instead: every mapped page that was
 * read stays in the process's resident set, so a 3 GB core would count 3 GB of RSS on top of the
 * heap (issue 17: a million goroutines under 2 GB); the cache holds {@link Blocks#SLOTS} blocks.
 */
final class ElfBytes {
    /** Files up to this size are memory-mapped; larger ones are read through {@link Blocks}. */
    static final long MAP_LIMIT = 512L << 20;

    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW = 1L << WINDOW_SHIFT;
    static final int OVERLAP = 1 << 16;

    private final FileChannel channel;
    private final long size;
    private final AtomicReferenceArray<MappedByteBuffer> windows;
    /** Non-null when the file is read through the block cache rather than mapped. */
    private final Blocks blocks;

    ElfBytes(FileChannel channel, long size) {
        this(channel, size, MAP_LIMIT);
    }

    /** @param mapLimit files larger than this are read through the block cache */
    ElfBytes(FileChannel channel, long size, long mapLimit) {
        this.channel = channel;
        this.size = size;
        this.blocks = size > mapLimit ? new Blocks(channel, size) : null;
        this.windows = new AtomicReferenceArray<>(blocks != null ? 0 : (int) ((size + WINDOW - 1) >>> WINDOW_SHIFT));
    }

    long size() {
        return size;
    }

    /** True when [offset, offset + length) lies in the file. */
    boolean contains(long offset, long length) {
        return offset >= 0 && length >= 0 && length <= size && offset <= size - length;
    }

    /**
     * Copies {@code length} bytes at {@code offset} into {@code dst}.
     *
     * @throws MemoryAccessException (with the file offset as address) when the range leaves the file
     */
    void read(long offset, byte[] dst, int dstOff, int length) {
        if (!contains(offset, length)) {
            throw new MemoryAccessException(offset, length);
        }
        if (blocks != null) {
            blocks.read(offset, dst, dstOff, length);
            return;
        }
        int done = 0;
        while (done < length) {
            long at = offset + done;
            int w = (int) (at >>> WINDOW_SHIFT);
            MappedByteBuffer buf = window(w);
            int inWindow = (int) (at - ((long) w << WINDOW_SHIFT));
            int n = Math.min(length - done, buf.capacity() - inWindow);
            buf.get(inWindow, dst, dstOff + done, n);
            done += n;
        }
    }

    byte[] read(long offset, int length) {
        byte[] out = new byte[length];
        read(offset, out, 0, length);
        return out;
    }

    int u8(long offset) {
        if (blocks != null) {
            if (!contains(offset, 1)) {
                throw new MemoryAccessException(offset, 1);
            }
            long v = blocks.word(offset, 1);
            return (int) v;
        }
        return Byte.toUnsignedInt(small(offset, 1).get(inWindow(offset)));
    }

    int u16(long offset) {
        if (blocks != null) {
            if (!contains(offset, 2)) {
                throw new MemoryAccessException(offset, 2);
            }
            long v = blocks.word(offset, 2);
            return (int) v;
        }
        return Short.toUnsignedInt(small(offset, 2).getShort(inWindow(offset)));
    }

    long u32(long offset) {
        if (blocks != null) {
            if (!contains(offset, 4)) {
                throw new MemoryAccessException(offset, 4);
            }
            long v = blocks.word(offset, 4);
            return v;
        }
        return Integer.toUnsignedLong(small(offset, 4).getInt(inWindow(offset)));
    }

    int i32(long offset) {
        if (blocks != null) {
            if (!contains(offset, 4)) {
                throw new MemoryAccessException(offset, 4);
            }
            long v = blocks.word(offset, 4);
            return (int) v;
        }
        return small(offset, 4).getInt(inWindow(offset));
    }

    long u64(long offset) {
        if (blocks != null) {
            if (!contains(offset, 8)) {
                throw new MemoryAccessException(offset, 8);
            }
            long v = blocks.word(offset, 8);
            return v;
        }
        return small(offset, 8).getLong(inWindow(offset));
    }

    /** A NUL-terminated string starting at {@code offset}, at most {@code max} bytes long. */
    String cString(long offset, int max) {
        int n = (int) Math.max(0, Math.min(max, size - offset));
        byte[] b = read(offset, n);
        int len = 0;
        while (len < n && b[len] != 0) {
            len++;
        }
        return new String(b, 0, len, java.nio.charset.StandardCharsets.UTF_8);
    }

    // The window holding [offset, offset + length): with the overlap, a small read always fits.
    private MappedByteBuffer small(long offset, int length) {
        if (!contains(offset, length)) {
            throw new MemoryAccessException(offset, length);
        }
        return window((int) (offset >>> WINDOW_SHIFT));
    }

    private static int inWindow(long offset) {
        return (int) (offset & (WINDOW - 1));
    }

    private MappedByteBuffer window(int w) {
        MappedByteBuffer buf = windows.get(w);
        if (buf == null) {
            long start = (long) w << WINDOW_SHIFT;
            long length = Math.min(WINDOW + OVERLAP, size - start);
            try {
                buf = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            buf.order(ByteOrder.LITTLE_ENDIAN);
            // Two threads may map the same window; the loser's mapping is dropped by the GC.
            if (!windows.compareAndSet(w, null, buf)) {
                buf = windows.get(w);
            }
        }
        return buf;
    }

    /**
     * Positional reads of fixed blocks, each block cached in one of {@link #SLOTS} slots chosen
     * by its index. Goroutines are read in allgs order, which is creation order, and their g's
     * and stacks were allocated in that order too, so consecutive reads mostly hit.
     */
    static final class Blocks {
        static final int SHIFT = 16;
        static final int SIZE = 1 << SHIFT;
        static final int SLOTS = 1024; // 64 MB

        private final FileChannel channel;
        private final long size;
        private final long[] tags = new long[SLOTS];
        private final java.nio.ByteBuffer[] buffers = new java.nio.ByteBuffer[SLOTS];

        Blocks(FileChannel channel, long size) {
            this.channel = channel;
            this.size = size;
            java.util.Arrays.fill(tags, -1);
        }

        /** An unsigned little-endian integer of {@code n} (1, 2, 4 or 8) bytes; the range is in the file. */
        synchronized long word(long offset, int n) {
            int in = (int) (offset & (SIZE - 1));
            if (in + n <= SIZE) {
                java.nio.ByteBuffer b = block(offset >>> SHIFT);
                return switch (n) {
                    case 1 -> Byte.toUnsignedLong(b.get(in));
                    case 2 -> Short.toUnsignedLong(b.getShort(in));
                    case 4 -> Integer.toUnsignedLong(b.getInt(in));
                    default -> b.getLong(in);
                };
            }
            byte[] bytes = new byte[n];
            read(offset, bytes, 0, n);
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = v << 8 | (bytes[i] & 0xff);
            }
            return v;
        }

        /** Copies [offset, offset + length), which is in the file, into {@code dst}. */
        synchronized void read(long offset, byte[] dst, int dstOff, int length) {
            if (length >= SIZE) {
                // a bulk read gains nothing from the cache and would evict what the small reads use
                pread(java.nio.ByteBuffer.wrap(dst, dstOff, length), offset);
                return;
            }
            int done = 0;
            while (done < length) {
                long at = offset + done;
                int in = (int) (at & (SIZE - 1));
                int n = Math.min(length - done, SIZE - in);
                block(at >>> SHIFT).get(in, dst, dstOff + done, n);
                done += n;
            }
        }

        private java.nio.ByteBuffer block(long index) {
            int slot = (int) (index & (SLOTS - 1));
            java.nio.ByteBuffer b = buffers[slot];
            if (tags[slot] == index) {
                return b;
            }
            if (b == null) {
                b = java.nio.ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
                buffers[slot] = b;
            }
            tags[slot] = -1; // until the read succeeds
            long start = index << SHIFT;
            b.clear().limit((int) Math.min(SIZE, size - start));
            pread(b, start);
            tags[slot] = index;
            return b;
        }

        private void pread(java.nio.ByteBuffer into, long position) {
            long pos = position;
            try {
                while (into.hasRemaining()) {
                    int n = channel.read(into, pos);
                    if (n < 0) {
                        throw new MemoryAccessException(pos, into.remaining()); // the file shrank under us
                    }
                    pos += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
