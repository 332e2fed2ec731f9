package dev.chanscope.proc;

import java.util.Optional;
import java.util.OptionalLong;

/** Debug-information types and constants of the target's binary (DWARF, through gdb). */
public interface TypeCatalog {
    /** The layout of struct {@code name} (Go spelling: "runtime.g", "internal/abi.Type"), empty when DWARF lacks it. */
    Optional<StructLayout> struct(String name);

    /** A constant's value ("runtime._Grunning"), empty when DWARF lacks it. */
    OptionalLong constant(String name);
}
