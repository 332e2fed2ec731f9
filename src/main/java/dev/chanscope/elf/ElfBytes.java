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
 */
final class ElfBytes {
    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW = 1L << WINDOW_SHIFT;
    static final int OVERLAP = 1 << 16;

    private final FileChannel channel;
    private final long size;
    private final AtomicReferenceArray<MappedByteBuffer> windows;

    ElfBytes(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
        this.windows = new AtomicReferenceArray<>((int) ((size + WINDOW - 1) >>> WINDOW_SHIFT));
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
        return Byte.toUnsignedInt(small(offset, 1).get(inWindow(offset)));
    }

    int u16(long offset) {
        return Short.toUnsignedInt(small(offset, 2).getShort(inWindow(offset)));
    }

    long u32(long offset) {
        return Integer.toUnsignedLong(small(offset, 4).getInt(inWindow(offset)));
    }

    int i32(long offset) {
        return small(offset, 4).getInt(inWindow(offset));
    }

    long u64(long offset) {
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
}
