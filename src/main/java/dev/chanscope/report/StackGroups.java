package dev.chanscope.report;

import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Goroutines with identical stacks counted once ({@code goroutines --group}), as panicparse and
 * Delve's {@code goroutines -group} do: same state, same frames (function and pc of each), same
 * {@code go} statement. A leak of 300,000 goroutines is a handful of groups.
 *
 * <p>Each goroutine is reduced to a 64-bit hash of that key; a group keeps its first goroutine as
 * the representative (compared in full, so two stacks whose hashes collide stay apart) and the
 * ids of the others.
 */
public final class StackGroups {
    /** @param ids every member's id, in listing order (the representative's first) */
    public record Group(Goroutine representative, long[] ids, int count) {
        public List<Long> idList() {
            return Arrays.stream(ids, 0, count).boxed().toList();
        }
    }

    private static final class Building {
        final Goroutine representative;
        long[] ids = new long[4];
        int count;

        Building(Goroutine g) {
            representative = g;
        }

        void add(long id) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
            }
            ids[count++] = id;
        }
    }

    private StackGroups() {
    }

    /** Groups of the goroutines {@code filter} lets through, largest first, then by first appearance. */
    public static List<Group> of(Snapshot s, GoroutineFilter filter) {
        Map<Long, List<Building>> byHash = new HashMap<>();
        List<Building> order = new ArrayList<>();
        for (Goroutine g : s.goroutines()) {
            if (!filter.test(g, s)) {
                continue;
            }
            List<Building> bucket = byHash.computeIfAbsent(hash(g), k -> new ArrayList<>(1));
            Building b = null;
            for (Building x : bucket) {
                if (same(x.representative, g)) {
                    b = x;
                    break;
                }
            }
            if (b == null) {
                b = new Building(g);
                bucket.add(b);
                order.add(b);
            }
            b.add(g.id());
        }
        List<Building> sorted = new ArrayList<>(order);
        sorted.sort((a, b) -> Integer.compare(b.count, a.count)); // stable: ties keep first appearance
        return sorted.stream().map(b -> new Group(b.representative, b.ids, b.count)).toList();
    }

    static long hash(Goroutine g) {
        long h = g.state().hashCode();
        for (Frame f : g.frames()) {
            h = h * 0x100000001b3L + f.pc();
            h = h * 0x100000001b3L + f.function().hashCode();
        }
        h = h * 0x100000001b3L + g.createdBy().map(Frame::pc).orElse(0L);
        return h;
    }

    static boolean same(Goroutine a, Goroutine b) {
        if (!a.state().equals(b.state()) || a.frames().size() != b.frames().size()
                || !a.createdBy().map(Frame::pc).equals(b.createdBy().map(Frame::pc))) {
            return false;
        }
        for (int i = 0; i < a.frames().size(); i++) {
            Frame x = a.frames().get(i);
            Frame y = b.frames().get(i);
            if (x.pc() != y.pc() || !x.function().equals(y.function())) {
                return false;
            }
        }
        return true;
    }

    /** The ids as the text report shows them: the first few, then how many more. */
    static String idsText(Group g, int shown) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(shown, g.count()); i++) {
            b.append(i == 0 ? "" : ", ").append(g.ids()[i]);
        }
        if (g.count() > shown) {
            b.append(", ... ").append(g.count() - shown).append(" more");
        }
        return b.toString();
    }
}
