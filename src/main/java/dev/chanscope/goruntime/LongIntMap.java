package dev.chanscope.goruntime;

/**
 * A map from long to int on primitive arrays (open addressing): a million goroutines' entries
 * as boxed map entries cost ten times the bytes. Key 0 cannot be stored (it marks a free slot).
 */
final class LongIntMap {
    static final int ABSENT = Integer.MIN_VALUE;
    private static final long EMPTY = 0; // marks a free slot
    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap() {
        this(1 << 11);
    }

    /** Sized for {@code expected} keys without growing (a million goroutines: no rehashing). */
    LongIntMap(int expected) {
        int n = Integer.highestOneBit(Math.max(16, Math.min(expected, 1 << 28)) * 2 - 1) * 2;
        keys = new long[n];
        values = new int[n];
    }

    int get(long key) {
        if (key == EMPTY) {
            return ABSENT;
        }
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return ABSENT;
            }
        }
    }

    /** Stores the value; a key of 0 is ignored. */
    void put(long key, int value) {
        if (key == EMPTY) {
            return;
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Makes room for {@code expected} keys at once (one resize instead of many). */
    void expect(int expected) {
        LongIntMap bigger = new LongIntMap(expected);
        if (bigger.keys.length <= keys.length) {
            return;
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                bigger.put(keys[i], values[i]);
            }
        }
        keys = bigger.keys;
        values = bigger.values;
        size = bigger.size;
    }

    private void grow() {
        long[] oldK = keys;
        int[] oldV = values;
        keys = new long[oldK.length * 2];
        values = new int[oldK.length * 2];
        size = 0;
        for (int i = 0; i < oldK.length; i++) {
            if (oldK[i] != EMPTY) {
                put(oldK[i], oldV[i]);
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads 8-aligned addresses
        return (int) (h >>> 32) & mask;
    }

    int size() {
        return size;
    }
}
