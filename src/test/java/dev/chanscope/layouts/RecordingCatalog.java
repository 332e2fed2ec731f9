package dev.chanscope.layouts;

import dev.chanscope.proc.StructLayout;
import dev.chanscope.proc.TypeCatalog;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A catalog that remembers every struct and constant the runtime model asked for and found,
 * so that the table holds exactly what GoLayouts and LayoutResolver read (nested structs such
 * as runtime.gobuf or runtime.maybeTraceableChan included), found by running them, not listed.
 */
final class RecordingCatalog implements TypeCatalog {
    private final TypeCatalog inner;
    final Map<String, StructLayout> structs = new TreeMap<>();
    final Map<String, Long> constants = new TreeMap<>();

    RecordingCatalog(TypeCatalog inner) {
        this.inner = inner;
    }

    @Override
    public Optional<StructLayout> struct(String name) {
        Optional<StructLayout> s = inner.struct(name);
        s.ifPresent(l -> structs.put(name, l));
        return s;
    }

    @Override
    public OptionalLong constant(String name) {
        OptionalLong v = inner.constant(name);
        v.ifPresent(x -> constants.put(name, x));
        return v;
    }
}
