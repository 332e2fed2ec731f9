package dev.chanscope.acquire;

import java.nio.file.Path;

/**
 * Turns what the user gave (a core, a compressed core, a bundle with core and binary) into a
 * plain core file on disk, and the bundled binary when there is one. Formats are recognised by
 * magic bytes, never by name; decompression streams into a cache directory keyed by the
 * content hash of the input, so the next run reuses it.
 *
 * STUB: signatures are fixed; implementation to be filled in.
 */
public final class Acquirer {

    /**
     * @param cacheDir     where decompressed files live ({@link #defaultCacheDir()} normally)
     * @param maxCoreSize  refuse to write more than this many bytes for one input (decompression bombs)
     * @param progress     told about long decompressions; {@link ProgressListener#NONE} for none
     */
    public Acquirer(Path cacheDir, long maxCoreSize, ProgressListener progress) {
        throw new UnsupportedOperationException("stub");
    }

    /** $CHANSCOPE_CACHE, else $XDG_CACHE_HOME/chanscope, else ~/.cache/chanscope. */
    public static Path defaultCacheDir() { throw new UnsupportedOperationException("stub"); }

    /**
     * @throws dev.chanscope.ChanscopeException (BAD_INPUT) with a one-line message for a missing,
     *     empty, unreadable or malformed input, an unsafe bundle, or one over the size cap
     */
    public AcquiredInput acquire(Path input) { throw new UnsupportedOperationException("stub"); }
}
