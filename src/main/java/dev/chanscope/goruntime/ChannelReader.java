package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Finds the channel a panic is about and decodes it and its waiters. */
public final class ChannelReader {
    private final GoRuntime rt;
    private final Memory mem;
    private final GoLayouts.Hchan hl;
    private final GoLayouts.Sudog sl;

    public ChannelReader(GoRuntime rt) {
        this.rt = rt;
        this.mem = rt.memory();
        this.hl = rt.layouts().hchan();
        this.sl = rt.layouts().sudog();
    }

    /** An address and how it was found. */
    private record Found(long address, String how) {}

    /**
     * The channel of a channel panic: chansend's or closechan's first argument (its spill slot,
     * which is what the runtime's traceback prints), the closed send case of selectgo's case
     * array, else the nearest word on the victim's stack that points at a closed hchan.
     */
    public Optional<Hchan> forPanic(Goroutine victim, PanicRecord panic, List<Goroutine> all) {
        if (!panic.kind().isChannelPanic() || panic.kind() == PanicKind.CLOSE_OF_NIL) {
            return Optional.empty();
        }
        Optional<Found> f = fromFrames(victim).or(() -> fromWokenSudogs(victim, all)).or(() -> scanStack(victim));
        return f.map(x -> decode(x.address, x.how, all));
    }

    private Optional<Found> fromFrames(Goroutine g) {
        for (PhysicalFrame f : g.stack()) {
            try {
                switch (f.function()) {
                    case "runtime.chansend", "runtime.closechan", "runtime.chansend1", "runtime.selectnbsend" -> {
                        long c = mem.u64(f.argp());
                        if (isClosedHchan(c)) {
                            return Optional.of(new Found(c, f.function() + " argument"));
                        }
                    }
                    case "runtime.selectgo" -> {
                        // selectgo(cas0 *scase, order0 *uint16, pc0 *uintptr, nsends, nrecvs int, block bool):
                        // register arguments have spill slots in argument order from fp; the
                        // function's DWARF agrees (cas0 at DW_OP_call_frame_cfa, nsends at fbreg 24).
                        GoLayouts.Scase sc = rt.layouts().scase();
                        long cas0 = mem.u64(f.argp());
                        long nsends = mem.u64(f.argp() + 24);
                        if (sc.size() > 0 && nsends > 0 && nsends <= 65536) {
                            for (int i = 0; i < nsends; i++) {
                                long c = mem.u64(cas0 + sc.size() * i + sc.c());
                                if (isClosedHchan(c)) {
                                    return Optional.of(new Found(c, "selectgo send case"));
                                }
                            }
                        }
                    }
                    default -> { }
                }
            } catch (MemoryAccessException e) {
                // a stale or unspilled argument: try the next frame, then the stack scan
            }
        }
        return Optional.empty();
    }

    /**
     * Senders the close woke still point at the channel through their sudog (closechan sets
     * success = false before readying them). When the victim's frames did not give the address
     * and those senders name one closed channel, that is it.
     */
    private Optional<Found> fromWokenSudogs(Goroutine victim, List<Goroutine> all) {
        java.util.Set<Long> chans = new java.util.HashSet<>();
        for (Goroutine g : all) {
            if (g == victim || g.waitingSudog() == 0 || g.status().kind() == GoStatus.Kind.WAITING
                    || g.status().kind() == GoStatus.Kind.DEAD) {
                continue;
            }
            try {
                long c = mem.u64(g.waitingSudog() + sl.c());
                if (mem.u8(g.waitingSudog() + sl.success()) == 0 && isClosedHchan(c)) {
                    chans.add(c);
                }
            } catch (MemoryAccessException e) {
                // a recycled sudog: no evidence
            }
        }
        return chans.size() == 1 ? Optional.of(new Found(chans.iterator().next(), "woken senders' sudogs")) : Optional.empty();
    }

    private Optional<Found> scanStack(Goroutine g) {
        if (g.stack().isEmpty()) {
            return Optional.empty();
        }
        long from = g.stack().get(0).sp();
        long to = g.stack().get(g.stack().size() - 1).fp();
        for (long a = from; a + 8 <= to; a += 8) {
            try {
                long c = mem.u64(a);
                if (isClosedHchan(c)) {
                    return Optional.of(new Found(c, "stack scan"));
                }
            } catch (MemoryAccessException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A plausibility check strong enough to reject stale stack words. */
    public boolean isClosedHchan(long c) {
        return looksLikeHchan(c) && mem.u32(c + hl.closed()) == 1;
    }

    public boolean looksLikeHchan(long c) {
        if (c == 0 || (c & 7) != 0 || !mem.isReadable(c, (int) hl.size())) {
            return false;
        }
        try {
            long closed = mem.u32(c + hl.closed());
            long cap = mem.u64(c + hl.dataqsiz());
            long count = mem.u64(c + hl.qcount());
            long elemType = mem.u64(c + hl.elemType());
            long elemSize = mem.uint(c + hl.elemSize(), hl.elemSizeWidth());
            if (closed > 1 || cap < 0 || cap > (1L << 40) || count < 0 || count > cap || elemType == 0) {
                return false;
            }
            return rt.typeSize(elemType) == elemSize;
        } catch (MemoryAccessException e) {
            return false;
        }
    }

    public Hchan decode(long c, String how, List<Goroutine> all) {
        ByteBuffer b = mem.buffer(c, (int) hl.size());
        long elemType = b.getLong((int) hl.elemType());
        List<Long> sends = new ArrayList<>();
        List<Long> recvs = new ArrayList<>();
        List<Long> selects = new ArrayList<>();
        for (Goroutine g : all) {
            if (g.waitingSudog() != 0 && g.status().kind() != GoStatus.Kind.WAITING
                    && g.status().kind() != GoStatus.Kind.DEAD) {
                try {
                    long sg = g.waitingSudog();
                    if (mem.u64(sg + sl.c()) == c && mem.u8(sg + sl.success()) == 0) {
                        switch (blockingOp(g)) {
                            case "runtime.chansend" -> sends.add(g.id());
                            case "runtime.chanrecv" -> recvs.add(g.id());
                            default -> selects.add(g.id());
                        }
                    }
                } catch (MemoryAccessException ignored) {
                    // a freed sudog: not evidence either way
                }
            }
        }
        return new Hchan(c, elemType == 0 ? "?" : rt.typeName(elemType),
                mem.uint(c + hl.elemSize(), hl.elemSizeWidth()),
                b.getLong((int) hl.dataqsiz()), b.getLong((int) hl.qcount()), b.getInt((int) hl.closed()) != 0,
                waiters(b.getLong((int) hl.recvqFirst()), all), waiters(b.getLong((int) hl.sendqFirst()), all),
                List.copyOf(sends), List.copyOf(recvs), List.copyOf(selects), how);
    }

    /** The channel operation a goroutine's stack is in: chansend, chanrecv or selectgo. */
    private static String blockingOp(Goroutine g) {
        for (PhysicalFrame f : g.stack()) {
            switch (f.function()) {
                case "runtime.chansend", "runtime.chanrecv", "runtime.selectgo" -> {
                    return f.function();
                }
                default -> { }
            }
        }
        return "";
    }

    /** The channel a goroutine is parked on (its sudog's c), if it is parked on one. */
    public OptionalLong waitingOn(Goroutine g) {
        if (g.waitingSudog() == 0) {
            return OptionalLong.empty();
        }
        try {
            long c = mem.u64(g.waitingSudog() + sl.c());
            return c != 0 ? OptionalLong.of(c) : OptionalLong.empty();
        } catch (MemoryAccessException e) {
            return OptionalLong.empty();
        }
    }

    /** The ids of a wait queue's goroutines (-1 for a g not in allgs), in queue order. */
    private List<Long> waiters(long first, List<Goroutine> all) {
        if (first == 0) {
            return List.of(); // the usual case: no index of a million goroutines built for nothing
        }
        LongIntMap indexByG = new LongIntMap(all.size());
        for (int i = 0; i < all.size(); i++) {
            indexByG.put(all.get(i).address(), i);
        }
        List<Long> ids = new ArrayList<>();
        long s = first;
        for (int i = 0; s != 0 && i < 1_000_000; i++) {
            long gp = mem.u64(s + sl.g());
            int at = indexByG.get(gp);
            ids.add(at == LongIntMap.ABSENT ? -1L : all.get(at).id());
            s = mem.u64(s + sl.next());
        }
        return List.copyOf(ids);
    }
}
