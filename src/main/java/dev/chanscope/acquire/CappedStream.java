package dev.chanscope.acquire;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/** Fails once more than {@code limit} bytes have come through: the decompression-bomb fuse. */
final class CappedStream extends FilterInputStream {
    private final long limit;
    private final Supplier<InputFault> overLimit;
    private long count;

    CappedStream(InputStream in, long limit, Supplier<InputFault> overLimit) {
        super(in);
        this.limit = limit;
        this.overLimit = overLimit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (skipped > 0) {
            add(skipped);
        }
        return skipped;
    }

    private void add(long n) throws InputFault {
        count += n;
        if (count > limit) {
            throw overLimit.get();
        }
    }
}
