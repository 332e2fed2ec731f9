package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which goroutines still hold a channel: a conservative scan of each goroutine's live stack for
 * the channel's address, and one hop through the objects those stack words point to (channels
 * usually live in struct fields: {@code w.results <- r}). Conservative means a stale word can
 * count; the diagnosis weighs this as supporting evidence, never as proof.
 */
public final class ChannelHolders {
    /** Bytes of a pointed-to object searched for the channel; larger structs rarely hold channels past this. */
    static final int OBJECT_WINDOW = 256;
    private static final int MAX_STACK_BYTES = 1 << 20;

    private final Memory mem;
    private final Map<Long, Long> objectFieldCache = new HashMap<>();

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
        ChannelHolder viaObject = null;
        for (int off = 0; off + 8 <= b.capacity(); off += 8) {
            long w = b.getLong(off);
            if (w == chan) {
                return new ChannelHolder(g.id(), frameAt(frames, lo + off), 0, 0);
            }
            if (viaObject == null && w >= heapLo && w < heapHi && w != chan) {
                long field = fieldHolding(w, chan);
                if (field >= 0) {
                    viaObject = new ChannelHolder(g.id(), frameAt(frames, lo + off), w, field);
                }
            }
        }
        return viaObject;
    }

    /** Offset within the object at {@code obj} where {@code chan} is stored, or -1. */
    private long fieldHolding(long obj, long chan) {
        long base = obj & ~7L;
        Long cached = objectFieldCache.get(base);
        if (cached != null) {
            return cached;
        }
        long found = -1;
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
