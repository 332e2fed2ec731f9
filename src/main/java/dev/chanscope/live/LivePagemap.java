package dev.chanscope.live;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code /proc/PID/pagemap}: one 64-bit entry per virtual page; bit 63 says the page is in
 * memory, bit 62 that it is swapped out (Documentation/admin-guide/mm/pagemap.rst). Reading it
 * needs the same ptrace access as reading the memory, and touches nothing in the target.
 */
final class LivePagemap implements AutoCloseable {
    private static final long PRESENT = 1L << 63;
    private static final long SWAPPED = 1L << 62;

    private final FileChannel channel;

    private LivePagemap(FileChannel channel) {
        this.channel = channel;
    }

    /** Opens the pagemap, or returns a pagemap that knows nothing when it cannot be opened. */
    static LivePagemap open(int pid) {
        try {
            return new LivePagemap(FileChannel.open(Path.of("/proc", Integer.toString(pid), "pagemap"), StandardOpenOption.READ));
        } catch (IOException | UnsupportedOperationException e) {
            return new LivePagemap(null);
        }
    }

    /** For each of {@code pages} pages from {@code address}: present or swapped; null when unknown. */
    boolean[] present(long address, int pages) {
        if (channel == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(pages * 8).order(ByteOrder.LITTLE_ENDIAN);
        try {
            long pos = (address / LiveMemory.PAGE) * 8;
            while (b.hasRemaining()) {
                int n = channel.read(b, pos + b.position());
                if (n <= 0) {
                    return null;
                }
            }
        } catch (IOException e) {
            return null;
        }
        boolean[] out = new boolean[pages];
        for (int i = 0; i < pages; i++) {
            long e = b.getLong(i * 8);
            out[i] = (e & (PRESENT | SWAPPED)) != 0;
        }
        return out;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // read-only: nothing to flush
            }
        }
    }
}
