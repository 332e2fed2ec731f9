package dev.chanscope.acquire;

import java.io.IOException;
import java.util.List;

/**
 * Where a sparse tar member's stored bytes go in the file it stands for: extents (offset,
 * length) in order, apart, inside the real size; the rest is holes. Anything else is a damaged
 * map, refused when it is made.
 */
final class TarSparseMap {
    private final long[] offset;
    private final long[] length;
    private final long realSize;

    private TarSparseMap(long[] offset, long[] length, long realSize) {
        this.offset = offset;
        this.length = length;
        this.realSize = realSize;
    }

    /**
     * @param extents (offset, length) pairs as the archive lists them
     * @throws IOException naming what is wrong, prefixed by {@code where}
     */
    static TarSparseMap of(List<long[]> extents, long realSize, String where) throws IOException {
        int n = extents.size();
        long[] offset = new long[n];
        long[] length = new long[n];
        long end = 0;
        for (int i = 0; i < n; i++) {
            long o = extents.get(i)[0];
            long l = extents.get(i)[1];
            if (o < end || l > realSize || o > realSize - l) {
                throw new IOException(where + "its sparse map is out of order or past its size " + realSize);
            }
            offset[i] = o;
            length[i] = l;
            end = o + l;
        }
        return new TarSparseMap(offset, length, realSize);
    }

    long realSize() {
        return realSize;
    }

    /** The bytes the member stores: the extents' lengths added up. */
    long stored() {
        long total = 0;
        for (long l : length) {
            total += l;
        }
        return total;
    }

    /**
     * How many bytes from {@code position} on are of one kind (all stored, or all hole), at most
     * {@code want}; positive for stored bytes, negative for a hole. {@code hint} is the extent to
     * start looking from (positions only grow), updated in place.
     */
    long run(long position, long want, int[] hint) {
        int e = hint[0];
        while (e < offset.length && position >= offset[e] + length[e]) {
            e++;
        }
        hint[0] = e;
        if (e < offset.length && position >= offset[e]) {
            return Math.min(want, offset[e] + length[e] - position);
        }
        long holeEnd = e < offset.length ? offset[e] : realSize;
        return -Math.min(want, holeEnd - position);
    }
}
