package dev.chanscope.goruntime;

import dev.chanscope.proc.StructLayout;
import dev.chanscope.proc.TypeCatalog;
import java.util.Optional;

/**
 * Resolves dotted field paths ("sched.pc", "recvq.first", "c") to byte offsets through the
 * DWARF layouts, descending into named struct types as needed. Nothing here knows an offset.
 */
final class LayoutResolver {
    /** A resolved field: offset from the outer struct and the field's size. */
    record Slot(long offset, long size, String typeName) {}

    private final TypeCatalog types;

    LayoutResolver(TypeCatalog types) {
        this.types = types;
    }

    StructLayout struct(String name) {
        return types.struct(name).orElseThrow(() -> new RuntimeLayoutException(
                "the binary's debug information has no struct " + name
                        + " (was it built with -ldflags=-w, or is it not a Go program?)"));
    }

    Optional<StructLayout> structIfPresent(String name) {
        return types.struct(name);
    }

    /** First of {@code names} that exists in {@code struct} (fields renamed across Go releases). */
    Slot slot(String struct, String... paths) {
        for (String p : paths) {
            Optional<Slot> s = find(struct(struct), p);
            if (s.isPresent()) {
                return s.get();
            }
        }
        throw new RuntimeLayoutException("struct " + struct + " has no field " + String.join(" or ", paths)
                + " in this binary's debug information");
    }

    Optional<Slot> optionalSlot(String struct, String... paths) {
        for (String p : paths) {
            Optional<Slot> s = find(struct(struct), p);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    long offset(String struct, String... paths) {
        return slot(struct, paths).offset();
    }

    /**
     * A pointer that the runtime may wrap in a struct (Go 1.26 made {@code sudog.c} a
     * {@code maybeTraceableChan{vp, vu}} where {@code vu} is the source of truth): the slot
     * of the word that holds the address.
     */
    Slot pointer(String struct, String path) {
        Slot s = slot(struct, path);
        if (s.size() == 8) {
            return s;
        }
        for (String inner : new String[] {"vu", "maybeTraceablePtr.vu"}) {
            Optional<Slot> wrapped = find(struct(struct), path + "." + inner);
            if (wrapped.isPresent()) {
                return wrapped.get();
            }
        }
        throw new RuntimeLayoutException("cannot find the pointer inside " + struct + "." + path + " (" + s.typeName() + ")");
    }

    private Optional<Slot> find(StructLayout layout, String path) {
        Optional<StructLayout.Field> direct = layout.field(path);
        if (direct.isPresent()) {
            StructLayout.Field f = direct.get();
            return Optional.of(new Slot(f.offset(), f.size(), f.typeName()));
        }
        int dot = path.indexOf('.');
        while (dot > 0) {
            String head = path.substring(0, dot);
            String rest = path.substring(dot + 1);
            Optional<StructLayout.Field> hf = layout.field(head);
            if (hf.isPresent() && !hf.get().typeName().endsWith("*")) {
                Optional<StructLayout> inner = types.struct(stripStruct(hf.get().typeName()));
                if (inner.isPresent()) {
                    Optional<Slot> s = find(inner.get(), rest);
                    if (s.isPresent()) {
                        long base = hf.get().offset();
                        return Optional.of(new Slot(base + s.get().offset(), s.get().size(), s.get().typeName()));
                    }
                }
            }
            dot = path.indexOf('.', dot + 1);
        }
        return Optional.empty();
    }

    private static String stripStruct(String t) {
        String s = t.strip();
        return s.startsWith("struct ") ? s.substring(7).strip() : s;
    }
}
