package dev.chanscope.acquire;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Remembers whether its source ran dry. When a decoder then fails, the data simply stops
 * (a truncated download) rather than being garbled, and the message can say so.
 */
final class EofWatch extends FilterInputStream {
    private boolean reachedEnd;

    EofWatch(InputStream in) {
        super(in);
    }

    boolean reachedEnd() {
        return reachedEnd;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            reachedEnd = true;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            reachedEnd = true;
        }
        return n;
    }

    /** Skips by reading, because InputStream.skip may return 0 at the end without saying so. */
    @Override
    public long skip(long n) throws IOException {
        return SkipByReading.skip(this, n);
    }
}
