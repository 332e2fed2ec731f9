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
    /** Object base → field offset (or -1): a million goroutines point at a million closures. */
    private final LongIntMap objectFieldCache = new LongIntMap();

    public ChannelHolders(Memory mem) {
        this.mem = mem;
    }

    public List<ChannelHolder> find(long chan, List<Goroutine> goroutines, long heapLo, long heapHi) {
        objectFieldCache.expect(goroutines.size()); // about one closure or object per goroutine
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
        Tail tail = null;
        for (int i = 0; i < words; i++) {
            long w = b.getLong(i * 8);
            if (w < heapLo || w >= heapHi) {
                continue;
            }
            long base = w & ~7L;
            long field;
            if (aligned && base >= lo && base < scannedEnd) {
                if (base + OBJECT_WINDOW <= scannedEnd) {
                    continue;
                }
                // Only the part past the stack's top is unknown: read it once for this goroutine
                // (such pointers are per goroutine, and caching them cost gigabytes at a million).
                if (tail == null) {
                    tail = tail(scannedEnd, chan);
                }
                field = tail.readable ? (tail.hit >= 0 && tail.hit < base + OBJECT_WINDOW ? tail.hit - base : -1)
                        : fieldHolding(base, chan);
            } else {
                field = fieldHolding(base, chan);
            }
            if (field >= 0) {
                return new ChannelHolder(g.id(), frameAt(frames, lo + i * 8L), w, field);
            }
        }
        return null;
    }

    /** The {@link #OBJECT_WINDOW} bytes past a stack's top: whether they can be read, and where the channel first is (-1: nowhere). */
    private record Tail(boolean readable, long hit) {}

    private Tail tail(long from, long chan) {
        try {
            ByteBuffer t = ByteBuffer.wrap(mem.read(from, OBJECT_WINDOW)).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k + 8 <= OBJECT_WINDOW; k += 8) {
                if (t.getLong(k) == chan) {
                    return new Tail(true, from + k);
                }
            }
            return new Tail(true, -1);
        } catch (MemoryAccessException e) {
            return new Tail(false, -1);
        }
    }

    /** Offset within the object at {@code base} (8-aligned) where {@code chan} is stored, or -1. */
    private long fieldHolding(long base, long chan) {
        int cached = objectFieldCache.get(base);
        if (cached != LongIntMap.ABSENT) {
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
}
