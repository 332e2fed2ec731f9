package dev.chanscope.acquire;

import java.io.FilterInputStream;
import java.io.InputStream;

/**
 * Lets a decoder stacked on a tar member be closed (zstd-jni frees native memory on close)
 * without closing the tar stream, which still has members to give.
 */
final class CloseShield extends FilterInputStream {
    CloseShield(InputStream in) {
        super(in);
    }

    @Override
    public void close() {
        // deliberately not closing the shared stream underneath
    }
}
