package dev.chanscope.goruntime;

import java.util.AbstractList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * A goroutine's physical frames kept as a reference and an offset each, every
 * {@link PhysicalFrame} made again when asked for: 8 bytes a frame instead of about 60 as an
 * object in a list, which is what lets a million goroutines' stacks stay in memory (issue 17).
 * What depends only on the pc (the function, the logical frames) is a {@link Shape} shared with
 * every goroutine parked at the same call; a frame's sp is the fp of the frame below it.
 */
final class CompactStack extends AbstractList<PhysicalFrame> implements RandomAccess {
    /** What a frame at one pc has whatever the goroutine. */
    record Shape(Pclntab.FuncInfo func, long pc, List<Frame> logical) {}

    /**
     * One {@link Shape} per logical-frame list: the unwinder hands out one list per pc (and trap
     * flag), so the list's identity is the key. One per reader; not for concurrent use.
     */
    static final class Shapes {
        private final Map<List<Frame>, Shape> byLogical = new IdentityHashMap<>();

        Shape of(PhysicalFrame f) {
            Shape s = byLogical.get(f.logical());
            if (s == null || s.pc() != f.pc() || s.func() != f.func()) {
                s = new Shape(f.func(), f.pc(), f.logical());
                byLogical.put(f.logical(), s);
            }
            return s;
        }
    }

    private final long firstSp;
    private final Shape[] shapes;
    /** fp of frame i minus the first frame's sp. */
    private final int[] fpOffsets;

    private CompactStack(long firstSp, Shape[] shapes, int[] fpOffsets) {
        this.firstSp = firstSp;
        this.shapes = shapes;
        this.fpOffsets = fpOffsets;
    }

    /** The frames in compact form, or as a plain list when they are not one chained run of stack. */
    static List<PhysicalFrame> of(List<PhysicalFrame> frames, Shapes shared) {
        if (frames.isEmpty()) {
            return List.of();
        }
        int n = frames.size();
        long sp0 = frames.get(0).sp();
        Shape[] shapes = new Shape[n];
        int[] offsets = new int[n];
        for (int i = 0; i < n; i++) {
            PhysicalFrame f = frames.get(i);
            long off = f.fp() - sp0;
            // a signal frame or a switch of stacks breaks the chain: keep such a stack as it is
            if (f.sp() != (i == 0 ? sp0 : frames.get(i - 1).fp()) || off < 0 || off > Integer.MAX_VALUE) {
                return List.copyOf(frames);
            }
            shapes[i] = shared.of(f);
            offsets[i] = (int) off;
        }
        return new CompactStack(sp0, shapes, offsets);
    }

    @Override
    public PhysicalFrame get(int i) {
        Shape s = shapes[i];
        long sp = i == 0 ? firstSp : firstSp + fpOffsets[i - 1];
        return new PhysicalFrame(s.func(), s.pc(), sp, firstSp + fpOffsets[i], s.logical());
    }

    @Override
    public int size() {
        return shapes.length;
    }

    /**
     * The logical frames of {@code stack}, innermost first, without a list of their own when the
     * stack is compact (a view over the shared shapes: 24 bytes a goroutine instead of a list).
     */
    static List<Frame> logicalFrames(List<PhysicalFrame> stack) {
        if (stack instanceof CompactStack c) {
            return new Logical(c.shapes);
        }
        List<Frame> out = new java.util.ArrayList<>();
        for (PhysicalFrame f : stack) {
            out.addAll(f.logical());
        }
        return List.copyOf(out);
    }

    private static final class Logical extends AbstractList<Frame> implements RandomAccess, SharedFrames {
        private final Shape[] shapes;
        private final int size;

        Logical(Shape[] shapes) {
            this.shapes = shapes;
            int n = 0;
            for (Shape s : shapes) {
                n += s.logical().size();
            }
            this.size = n;
        }

        @Override
        public Frame get(int i) {
            java.util.Objects.checkIndex(i, size);
            int k = i;
            for (Shape s : shapes) {
                if (k < s.logical().size()) {
                    return s.logical().get(k);
                }
                k -= s.logical().size();
            }
            throw new IndexOutOfBoundsException(i);
        }

        @Override
        public java.util.Iterator<Frame> iterator() {
            // one pass over the shapes, not a walk from the start for each frame
            return java.util.Arrays.stream(shapes).flatMap(s -> s.logical().stream()).iterator();
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Object sharingKey() {
            return new ShapesKey(shapes);
        }
    }

    /** Equal when the same {@link Shape} objects come in the same order (shapes are shared, not compared). */
    private static final class ShapesKey {
        private final Shape[] shapes;
        private final int hash;

        ShapesKey(Shape[] shapes) {
            this.shapes = shapes;
            int h = shapes.length;
            for (Shape s : shapes) {
                h = 31 * h + System.identityHashCode(s);
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ShapesKey k) || k.hash != hash || k.shapes.length != shapes.length) {
                return false;
            }
            for (int i = 0; i < shapes.length; i++) {
                if (k.shapes[i] != shapes[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
