package dev.chanscope.proc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A struct's layout as DWARF describes it: size and fields with offsets. Anonymous nested
 * structs that gdb expands inline (slices, strings) appear as dotted names ("writebuf.len").
 */
public record StructLayout(String name, long size, List<Field> fields) {

    /** A field: its (possibly dotted) name, byte offset from the struct start, size and C-ish type text. */
    public record Field(String name, long offset, long size, String typeName) {}

    public Optional<Field> field(String fieldName) {
        for (Field f : fields) {
            if (f.name().equals(fieldName)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    public Map<String, Field> byName() {
        Map<String, Field> m = new LinkedHashMap<>();
        fields.forEach(f -> m.put(f.name(), f));
        return m;
    }
}
