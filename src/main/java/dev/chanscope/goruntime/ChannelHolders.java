package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Which goroutines still hold a channel: a conservative scan of each goroutine's live stack for
 * the channel's address, and one hop through the objects those stack words point to (channels
 * usually live in struct fields: {@code w.results <- r}). Conservative means a stale word can
 * count; the diagnosis weighs this as supporting evidence, never as proof.
 *
 * <p>Cost: a goroutine's stack is read once and its words compared with the channel first; only
 * when none is the channel are the words that point elsewhere followed. Most pointer-looking
 * words of a stack point into that same stack (saved frame pointers, addresses of locals), and
 * the window of such an object lies in the words just compared, so it cannot hold the channel:
 * those are answered without reading memory. At 100,000 goroutines that leaves the closures and
 * heap objects, each read once (issue 17: the scan was 73% of {@code analyze}'s time).
 */
public final class ChannelHolders {
    /** Bytes of a pointed-to object searched for the channel; larger structs rarely hold channels past this. */
    static final int OBJECT_WINDOW = 256;
    private static final int MAX_STACK_BYTES = 1 << 20;

    private final Memory mem;
    private final FieldCache objectFieldCache = new FieldCache();

    public ChannelHolders(Memory mem) {
        this.mem = mem;
    }

    public List<ChannelHolder> find(long chan, List<Goroutine> goroutines, long heapLo, long heapHi) {
        List<ChannelHolder> out = new ArrayList<>();
        for (Goroutine g : goroutines) {
            if (g.stack().isEmpty()) {
                continue;
            }
            ChannelHolder h = scan(g, chan, heapLo, heapHi);
            if (h != null) {
                out.add(h);
            }
        }
        return out;
    }

    private ChannelHolder scan(Goroutine g, long chan, long heapLo, long heapHi) {
        List<PhysicalFrame> frames = g.stack();
        long lo = frames.get(0).sp();
        long hi = frames.get(frames.size() - 1).fp();
        if (hi <= lo || hi - lo > MAX_STACK_BYTES) {
            return null;
        }
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(mem.read(lo, (int) (hi - lo))).order(ByteOrder.LITTLE_ENDIAN);
        } catch (MemoryAccessException e) {
            return null;
        }
        int words = b.capacity() / 8;
        // The first word that is the channel itself wins over any object holding it.
        for (int i = 0; i < words; i++) {
            if (b.getLong(i * 8) == chan) {
                return new ChannelHolder(g.id(), frameAt(frames, lo + i * 8L), 0, 0);
            }
        }
        // No word in [lo, lo + words*8) is the channel: an object whose whole window lies there
        // cannot hold it, and its memory is known to be readable.
        long scannedEnd = lo + words * 8L;
        boolean aligned = (lo & 7) == 0; // then an 8-aligned window's words are the words compared
        for (int i = 0; i < words; i++) {
            long w = b.getLong(i * 8);
            if (w < heapLo || w >= heapHi) {
                continue;
            }
            long base = w & ~7L;
            if (aligned && base >= lo && base + OBJECT_WINDOW <= scannedEnd) {
                continue;
            }
            long field = fieldHolding(base, chan);
            if (field >= 0) {
                return new ChannelHolder(g.id(), frameAt(frames, lo + i * 8L), w, field);
            }
        }
        return null;
    }

    /** Offset within the object at {@code base} (8-aligned) where {@code chan} is stored, or -1. */
    private long fieldHolding(long base, long chan) {
        int cached = objectFieldCache.get(base);
        if (cached != FieldCache.ABSENT) {
            return cached;
        }
        int found = -1;
        try {
            ByteBuffer o = ByteBuffer.wrap(mem.read(base, OBJECT_WINDOW)).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k + 8 <= OBJECT_WINDOW; k += 8) {
                if (o.getLong(k) == chan) {
                    found = k;
                    break;
                }
            }
        } catch (MemoryAccessException e) {
            found = -1;
        }
        objectFieldCache.put(base, found);
        return found;
    }

    private static String frameAt(List<PhysicalFrame> frames, long addr) {
        for (PhysicalFrame f : frames) {
            if (addr >= f.sp() && addr < f.fp()) {
                List<Frame> l = f.logical();
                return l.isEmpty() ? f.function() : l.get(l.size() - 1).function();
            }
        }
        return "?";
    }

    /**
     * Object base → field offset (or -1), open addressing on primitive arrays: a million
     * goroutines point at a million closures, and boxed map entries cost ten times the bytes.
     */
    static final class FieldCache {
        static final int ABSENT = Integer.MIN_VALUE;
        private static final long EMPTY = 0; // 0 is never a heap address in the window
        private long[] keys = new long[1 << 12];
        private int[] values = new int[1 << 12];
        private int size;

        int get(long key) {
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
}
