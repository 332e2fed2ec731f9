package dev.chanscope.acquire;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Tells a tar that ended properly from one cut short. commons-compress reports both as "no more
 * entries" when the cut falls between members; but every tar writer ends the archive with
 * zero-filled 512-byte records, so a clean end is a whole number of records, the last all zero.
 */
final class TarEndWatch extends FilterInputStream {
    static final int RECORD = 512;

    private final byte[] tail = new byte[RECORD];
    private long total;

    TarEndWatch(InputStream in) {
        super(in);
    }

    /** Bytes read so far: just past the header when an entry has been returned. */
    long total() {
        return total;
    }

    /**
     * @param lastDataEnd where the last member's data (padded to a record) ends, 0 if none: the
     *                    end-of-archive record must come after it, so a member whose data ends
     *                    in zeros is not mistaken for one
     */
    boolean endedCleanly(long lastDataEnd) {
        if (total % RECORD != 0 || total < lastDataEnd + RECORD) {
            return false;
        }
        for (byte b : tail) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** No mark/reset: a rewind would make the counts above lie. */
    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            remember(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            remember(b, off, n);
        }
        return n;
    }

    /** Skips by reading, so skipped bytes are counted and seen. */
    @Override
    public long skip(long n) throws IOException {
        return SkipByReading.skip(this, n);
    }

    private void remember(byte[] b, int off, int n) {
        total += n;
        if (n >= RECORD) {
            System.arraycopy(b, off + n - RECORD, tail, 0, RECORD);
        } else {
            System.arraycopy(tail, n, tail, 0, RECORD - n);
            System.arraycopy(b, off, tail, RECORD - n, n);
        }
    }
}
