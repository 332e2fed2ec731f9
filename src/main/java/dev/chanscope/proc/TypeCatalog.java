package dev.chanscope.proc;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Types and constants of the target's runtime: the binary's DWARF (through gdb), or, for a
 * stripped binary, a built-in table generated from the same Go release's DWARF
 * (docs/stripped.md).
 */
public interface TypeCatalog {
    /** The layout of struct {@code name} (Go spelling: "runtime.g", "internal/abi.Type"), empty when DWARF lacks it. */
    Optional<StructLayout> struct(String name);

    /** A constant's value ("runtime._Grunning"), empty when DWARF lacks it. */
    OptionalLong constant(String name);

    /** Where the layouts come from, as the report names it: "DWARF", "built-in table for go1.26.8". */
    default String source() {
        return "DWARF";
    }

    /**
     * A runtime string table ("runtime.gStatusStrings", "runtime.waitReasonStrings") as the
     * catalog knows it without the binary's symbols: a built-in table's copy of the release's
     * table; empty when it must be read from the target's memory at its symbol.
     */
    default Optional<List<String>> nameTable(String symbol) {
        return Optional.empty();
    }

    /**
     * The Go release the catalog was chosen for ({@code runtime.buildVersion} as the binary's
     * build information gives it), when the binary has no symbol to read it from; empty for DWARF.
     */
    default Optional<String> goVersion() {
        return Optional.empty();
    }
}
