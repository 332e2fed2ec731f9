package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;

/**
 * Skipping by reading: InputStream.skip may return 0 at the end without saying so, and streams
 * that watch the bytes (end-of-stream and tar-end detection) must see the skipped ones too.
 */
final class SkipByReading {
    private SkipByReading() {
    }

    /** Reads and drops up to {@code n} bytes through {@code in.read}, returning how many there were. */
    static long skip(InputStream in, long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }
}
