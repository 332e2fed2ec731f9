package dev.chanscope.goruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.core.CoreTarget;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.testing.SampleCores;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The holders found with the shortcuts of {@link ChannelHolders} (the channel's own words first,
 * objects inside the words already compared skipped, a primitive cache) are exactly those of the
 * plain scan that follows every heap-looking word of every stack, on every Go 1.26 sample core
 * with a channel.
 */
class ChannelHoldersTest {
    private static final long WINDOW = 1L << 32;

    @Test
    void sameHoldersAsThePlainScanOnTheSampleCores() {
        int cores = 0;
        int holders = 0;
        int viaObject = 0;
        for (SampleCores.Entry e : SampleCores.all()) {
            if (!e.goVersion().equals("1.26.8") || !e.isStatic() || !e.truth().isChannelPanic()) {
                continue;
            }
            try (CoreTarget t = CoreTarget.open(e.core(), e.binary(), false)) {
                Snapshot s = new SnapshotReader(StackUnwinder.DEFAULT_MAX_FRAMES).read(t);
                if (s.channel().isEmpty()) {
                    continue;
                }
                long c = s.channel().get().address();
                long lo = Math.max(0, c - WINDOW);
                long hi = c + WINDOW;
                List<ChannelHolder> got = new ChannelHolders(t.memory()).find(c, s.goroutines(), lo, hi);
                assertEquals(plainScan(t.memory(), c, s.goroutines(), lo, hi), got, e.id());
                cores++;
                holders += got.size();
                viaObject += (int) got.stream().filter(h -> !h.direct()).count();
            }
        }
        assertTrue(cores >= 10, "channel-panic cores compared: " + cores);
        // the comparison means something only if both kinds of holder occur
        assertTrue(holders > viaObject && viaObject > 0, holders + " holders, " + viaObject + " through objects");
    }

    @Test
    void longIntMapKeepsEveryEntryAcrossGrowth() {
        LongIntMap c = new LongIntMap();
        for (long i = 1; i <= 100_000; i++) {
            c.put(0xc000000000L + i * 16, (int) (i % 33) - 1);
        }
        assertEquals(100_000, c.size());
        for (long i = 1; i <= 100_000; i++) {
            assertEquals((int) (i % 33) - 1, c.get(0xc000000000L + i * 16));
        }
        assertEquals(LongIntMap.ABSENT, c.get(0xc000000008L));
    }

    /** The scan as first written: one pass, every heap-looking word's object read. */
    private static List<ChannelHolder> plainScan(Memory mem, long chan, List<Goroutine> gs, long heapLo, long heapHi) {
        List<ChannelHolder> out = new ArrayList<>();
        for (Goroutine g : gs) {
            List<PhysicalFrame> frames = g.stack();
            if (frames.isEmpty()) {
                continue;
            }
            long lo = frames.get(0).sp();
            long hi = frames.get(frames.size() - 1).fp();
            if (hi <= lo || hi - lo > 1 << 20) {
                continue;
            }
            ByteBuffer b;
            try {
                b = ByteBuffer.wrap(mem.read(lo, (int) (hi - lo))).order(ByteOrder.LITTLE_ENDIAN);
            } catch (MemoryAccessException e) {
                continue;
            }
            ChannelHolder direct = null;
            ChannelHolder via = null;
            for (int off = 0; off + 8 <= b.capacity() && direct == null; off += 8) {
                long w = b.getLong(off);
                if (w == chan) {
                    direct = new ChannelHolder(g.id(), frameAt(frames, lo + off), 0, 0);
                } else if (via == null && w >= heapLo && w < heapHi) {
                    long field = field(mem, w & ~7L, chan);
                    if (field >= 0) {
                        via = new ChannelHolder(g.id(), frameAt(frames, lo + off), w, field);
                    }
                }
            }
            if (direct != null) {
                out.add(direct);
            } else if (via != null) {
                out.add(via);
            }
        }
        return out;
    }

    private static long field(Memory mem, long base, long chan) {
        try {
            ByteBuffer o = ByteBuffer.wrap(mem.read(base, ChannelHolders.OBJECT_WINDOW)).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < ChannelHolders.OBJECT_WINDOW; k += 8) {
                if (o.getLong(k) == chan) {
                    return k;
                }
            }
        } catch (MemoryAccessException e) {
            return -1;
        }
        return -1;
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
