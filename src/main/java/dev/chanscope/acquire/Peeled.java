package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A stream with every compression layer removed.
 *
 * @param stream  positioned at the start of the innermost data (the head pushed back); closing
 *                it closes the decoders
 * @param format  what the innermost data is: a bundle, ELF, or unknown
 * @param head    its first bytes (up to {@link Format#HEAD_BYTES}), already peeked
 * @param layers  every container around it, outermost first, including enclosing bundles
 * @param truncatedHint  what it means if this innermost data stops early (a bundle uses it)
 */
record Peeled(InputStream stream, Format format, byte[] head, List<Format> layers, String truncatedHint)
        implements AutoCloseable {
    /** Closes the decoders (zstd-jni holds native memory until then). */
    @Override
    public void close() throws IOException {
        stream.close();
    }
}
