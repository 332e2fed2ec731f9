package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads every channel goroutines wait on, through the runtime's own links: a goroutine parked
 * in chansend, chanrecv or selectgo has {@code g.waiting} pointing at its sudog, and a select's
 * sudogs are chained through {@code sudog.waitlink}, one per case; each sudog's {@code c} is
 * the channel (runtime/chan.go, runtime/select.go, the same in Go 1.22 and 1.26). Channels are
 * decoded by {@link ChannelReader#decode}; the direction of each waiter is the queue its sudog
 * is in.
 *
 * <p>Closed channels still held are found the way the garbage collector finds what a
 * goroutine keeps alive: the live pointer slots of each frame at its PC, from the compiler's
 * stack maps ({@link LiveSlots}); a slot that is a closed hchan, or points at an object one of
 * whose first words is one. Frames without stack maps (assembly) are scanned word by word.
 */
public final class BlockedChannels {
    /**
     * Words of an object, pointed at from a live stack slot, searched for channel fields. The
     * object's real size is in its heap span, which this does not look up; 8 words cover the
     * leading fields where a struct usually keeps its channels, and a closed hchan found past
     * the object's end would need a neighbour's stale memory to look exactly like one.
     */
    private static final int OBJECT_WORDS = 8;
    /** Bytes of a frame without stack maps scanned at most. */
    private static final int STACK_SCAN_MAX = 1 << 20;
    /** Sudogs followed on one goroutine (a select has one per case; the runtime caps cases at 65536). */
    private static final int MAX_SUDOGS = 65_536;

    private final GoRuntime rt;
    private final Memory mem;
    private final ChannelReader cr;
    private final GoLayouts.Sudog sl;
    private final long waitlink;
    private final Map<Long, Boolean> closedChannel = new HashMap<>();
    private final Map<Long, Boolean> isChannel = new HashMap<>();
    private final Map<Long, int[]> objectFields = new HashMap<>();
    private final Map<Long, List<String>> sendsCache = new HashMap<>();

    public BlockedChannels(GoRuntime rt) {
        this.rt = rt;
        this.mem = rt.memory();
        this.cr = new ChannelReader(rt);
        this.sl = rt.layouts().sudog();
        this.waitlink = new LayoutResolver(rt.target().types()).offset("runtime.sudog", "waitlink");
    }

    /**
     * @param now        the target's nanotime at the snapshot (a live process's CLOCK_MONOTONIC),
     *                   empty when unknown (a core)
     * @param scanHeld   also search the stacks for closed channels still held (cheap on a live
     *                   process, where an unmapped address costs nothing to reject)
     */
    public BlockedView read(List<Goroutine> gs, OptionalLong now, boolean scanHeld) {
        List<String> warnings = new ArrayList<>();
        Map<Long, List<Goroutine>> parkedOn = new LinkedHashMap<>();
        Map<Long, Set<Long>> selectOn = new HashMap<>();
        Set<Long> involved = new LinkedHashSet<>();
        List<BlockedWaiter> forever = new ArrayList<>();
        for (Goroutine g : gs) {
            if (g.status().kind() == GoStatus.Kind.DEAD) {
                continue;
            }
            if (g.waitingSudog() == 0) {
                if (g.status().kind() == GoStatus.Kind.WAITING && isForever(g.waitReason())) {
                    forever.add(new BlockedWaiter(g.id(), g.waitReason().startsWith("chan send") ? "send"
                            : g.waitReason().startsWith("chan receive") ? "receive" : "select",
                            g.waitReason().startsWith("select"), g.waitReason(), g.waitSince(), since(g, now),
                            PanicReader.userFrame(g)));
                }
                continue;
            }
            long s = g.waitingSudog();
            try {
                for (int i = 0; s != 0 && i < MAX_SUDOGS; i++) {
                    long c = mem.u64(s + sl.c());
                    boolean isSelect = mem.u8(s + sl.isSelect()) != 0;
                    if (c != 0 && isChannel.computeIfAbsent(c, cr::looksLikeHchan)) {
                        involved.add(c);
                        if (g.status().kind() == GoStatus.Kind.WAITING) {
                            parkedOn.computeIfAbsent(c, k -> new ArrayList<>()).add(g);
                            if (isSelect) {
                                selectOn.computeIfAbsent(c, k -> new java.util.HashSet<>()).add(g.id());
                            }
                        }
                    }
                    s = mem.u64(s + waitlink);
                }
            } catch (MemoryAccessException e) {
                warnings.add("goroutine " + g.id() + ": its sudog list could not be read: " + e.getMessage());
            }
        }
        // decode() maps every goroutine it is given by address; give it only those that can
        // matter (the channel's parked goroutines and the woken ones, which are not waiting),
        // or 10,000 goroutines on 100 channels cost a million map insertions.
        List<Goroutine> woken = gs.stream().filter(g -> g.waitingSudog() != 0
                && g.status().kind() != GoStatus.Kind.WAITING && g.status().kind() != GoStatus.Kind.DEAD).toList();
        List<BlockedChannel> channels = new ArrayList<>();
        for (long c : involved) {
            List<Goroutine> relevant = new ArrayList<>(parkedOn.getOrDefault(c, List.of()));
            relevant.addAll(woken);
            Hchan h = cr.decode(c, "blocked goroutines' sudogs", relevant);
            List<BlockedWaiter> waiters = new ArrayList<>();
            for (Goroutine g : parkedOn.getOrDefault(c, List.of())) {
                String op = h.sendWaiters().contains(g.id()) ? "send" : h.recvWaiters().contains(g.id()) ? "receive" : "?";
                boolean sel = selectOn.getOrDefault(c, Set.of()).contains(g.id());
                waiters.add(new BlockedWaiter(g.id(), op, sel, g.waitReason(), g.waitSince(), since(g, now),
                        PanicReader.userFrame(g)));
            }
            // A channel only woken goroutines point at is still worth showing when it is closed:
            // its woken senders will panic when they run.
            if (!waiters.isEmpty() || (h.closed() && !(h.wokenSenders().isEmpty() && h.wokenReceivers().isEmpty()
                    && h.wokenSelects().isEmpty()))) {
                channels.add(new BlockedChannel(h, List.copyOf(waiters)));
            }
        }
        List<BlockedClosedChannel> held = scanHeld ? held(gs, woken, warnings) : List.of();
        return new BlockedView(List.copyOf(channels), List.copyOf(forever), held, now, List.copyOf(warnings));
    }

    /** Wait reasons of goroutines no channel operation can ever wake. */
    private static boolean isForever(String reason) {
        return reason.equals("chan send (nil chan)") || reason.equals("chan receive (nil chan)")
                || reason.equals("select (no cases)");
    }

    private static OptionalLong since(Goroutine g, OptionalLong now) {
        if (g.waitSince() <= 0 || now.isEmpty() || now.getAsLong() < g.waitSince()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(now.getAsLong() - g.waitSince());
    }

    private List<BlockedClosedChannel> held(List<Goroutine> gs, List<Goroutine> woken, List<String> warnings) {
        Map<Long, List<BlockedHolder>> byChannel = new LinkedHashMap<>();
        LiveSlots liveSlots = new LiveSlots(rt.pclntab(), mem);
        for (Goroutine g : gs) {
            if (g.status().kind() == GoStatus.Kind.DEAD || g.stack().isEmpty()) {
                continue;
            }
            Set<Long> seen = new java.util.HashSet<>();
            List<PhysicalFrame> frames = g.stack();
            long stackLo = frames.get(0).sp();
            long stackHi = frames.get(frames.size() - 1).fp();
            for (int i = 0; i < frames.size(); i++) {
                PhysicalFrame f = frames.get(i);
                // Only a goroutine stopped on a thread by a signal has a first frame that is not at a call.
                boolean atCall = i > 0 || !g.stackSource().equals("thread") && !g.stackSource().equals("signal-context");
                List<Long> slots = liveSlots.of(f, atCall).orElseGet(() -> allWords(f));
                for (long slot : slots) {
                    long w;
                    try {
                        w = mem.u64(slot);
                    } catch (MemoryAccessException e) {
                        continue;
                    }
                    if (!plausiblePointer(w)) {
                        continue;
                    }
                    if (isClosed(w)) {
                        if (seen.add(w)) {
                            holder(byChannel, w, g, f, String.format("stack slot 0x%x", slot));
                        }
                        continue;
                    }
                    boolean onStack = w >= stackLo && w < stackHi;
                    for (int k : closedFields(w)) {
                        long v = mem.u64(w + 8L * k);
                        if (seen.add(v)) {
                            long at = w + 8L * k;
                            // A pointer into the goroutine's own stack (an argument's address, a
                            // stack object): the channel sits in that frame.
                            holder(byChannel, v, g, onStack ? frameAt(frames, at) : f, onStack
                                    ? String.format("stack slot 0x%x", at)
                                    : String.format("field +%d of object 0x%x (stack slot 0x%x)", 8 * k, w, slot));
                        }
                    }
                }
            }
        }
        List<BlockedClosedChannel> out = new ArrayList<>();
        // A closed channel has no parked goroutines (closechan released them all): only woken ones matter.
        byChannel.forEach((c, holders) -> out.add(new BlockedClosedChannel(cr.decode(c, "held by goroutines", woken),
                List.copyOf(holders))));
        return List.copyOf(out);
    }

    /** Every word of a frame without stack maps (assembly): conservative. */
    private static List<Long> allWords(PhysicalFrame f) {
        List<Long> out = new ArrayList<>();
        for (long a = f.sp(); a + 8 <= f.fp() && out.size() < STACK_SCAN_MAX / 8; a += 8) {
            out.add(a);
        }
        return out;
    }

    private void holder(Map<Long, List<BlockedHolder>> byChannel, long c, Goroutine g, PhysicalFrame frame, String via) {
        byChannel.computeIfAbsent(c, k -> new ArrayList<>()).add(new BlockedHolder(g.id(), g.state(),
                GoNames.forPrint(frame.function()), via, senders(g)));
    }

    private static boolean plausiblePointer(long w) {
        return w >= 4096 && (w & 7) == 0 && w < (1L << 56);
    }

    private boolean isClosed(long c) {
        return closedChannel.computeIfAbsent(c, cr::isClosedHchan);
    }

    /**
     * Indexes of the words among the first {@link #OBJECT_WORDS} at {@code p} that are closed
     * channels; cached, since thousands of goroutines point at the same few objects. An hchan's
     * own fields hold no channel, so a channel is not searched.
     */
    private int[] closedFields(long p) {
        return objectFields.computeIfAbsent(p, a -> {
            if (isChannel.computeIfAbsent(a, cr::looksLikeHchan)) {
                return new int[0];
            }
            ByteBuffer obj;
            try {
                obj = ByteBuffer.wrap(mem.read(a, 8 * OBJECT_WORDS)).order(ByteOrder.LITTLE_ENDIAN);
            } catch (MemoryAccessException e) {
                return new int[0];
            }
            java.util.stream.IntStream.Builder found = java.util.stream.IntStream.builder();
            for (int k = 0; k < OBJECT_WORDS; k++) {
                long v = obj.getLong(8 * k);
                if (plausiblePointer(v) && v != a && isClosed(v)) {
                    found.add(k);
                }
            }
            return found.build().toArray();
        });
    }

    /**
     * The frame a slot belongs to: the one whose arguments it is (the spill area at [fp, fp +
     * args), which lies in the caller's frame), else the one whose [sp, fp) holds it.
     */
    private static PhysicalFrame frameAt(List<PhysicalFrame> frames, long slot) {
        for (PhysicalFrame f : frames) {
            if (f.func().args() > 0 && slot >= f.fp() && slot < f.fp() + f.func().args()) {
                return f;
            }
        }
        for (PhysicalFrame f : frames) {
            if (slot >= f.sp() && slot < f.fp()) {
                return f;
            }
        }
        return frames.get(frames.size() - 1);
    }

    /** Functions on the goroutine's stack, outside the runtime, whose code contains a channel send. */
    private List<String> senders(Goroutine g) {
        List<String> out = new ArrayList<>();
        for (PhysicalFrame f : g.stack()) {
            if (PanicReader.isRuntime(f.function())) {
                continue;
            }
            for (String s : sendsCache.computeIfAbsent(f.func().entry(), e -> sendCalls(f.func()))) {
                if (!out.contains(s)) {
                    out.add(s);
                }
            }
        }
        return List.copyOf(out);
    }

    private List<String> sendCalls(Pclntab.FuncInfo fn) {
        for (String target : List.of("runtime.chansend1", "runtime.selectnbsend")) {
            Optional<Pclntab.FuncInfo> t = rt.pclntab().funcByName(target);
            try {
                if (t.isPresent() && !CallSites.callsTo(mem, fn, t.get().entry(), rt.target().machine()).isEmpty()) {
                    return List.of(GoNames.forPrint(fn.name()));
                }
            } catch (MemoryAccessException e) {
                return List.of();
            }
        }
        return List.of();
    }
}
