package dev.chanscope.layouts;

import dev.chanscope.proc.StructLayout;
import dev.chanscope.proc.TypeCatalog;
import java.util.Optional;
import java.util.OptionalLong;

/** A catalog that says where its DWARF came from (a separate debug file), for the report. */
public record SourcedCatalog(TypeCatalog inner, String source) implements TypeCatalog {
    @Override
    public Optional<StructLayout> struct(String name) {
        return inner.struct(name);
    }

    @Override
    public OptionalLong constant(String name) {
        return inner.constant(name);
    }
}
