package dev.chanscope.acquire;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reports the bytes read so far, at most every {@link #STEP} bytes so the bar is cheap to draw. */
final class ProgressStream extends FilterInputStream {
    static final long STEP = 4L << 20;

    private final ProgressListener listener;
    private final String label;
    private final long total;
    private long done;
    private long lastReported;

    ProgressStream(InputStream in, ProgressListener listener, String label, long total) {
        super(in);
        this.listener = listener;
        this.label = label;
        this.total = total;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        advance(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        advance(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        advance(skipped);
        return skipped;
    }

    private void advance(long n) {
        if (n < 0) {
            if (done != lastReported || done == 0) {
                report();
            }
            return;
        }
        done += n;
        if (done - lastReported >= STEP) {
            report();
        }
    }

    private void report() {
        lastReported = done;
        listener.progress(label, done, total);
    }
}
