package dev.chanscope.gdb;

import dev.chanscope.gdb.GdbCommandException;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.MiQuote;
import dev.chanscope.proc.StructLayout;
import dev.chanscope.proc.TypeCatalog;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Types and constants from DWARF through gdb. Struct layouts come from one {@code ptype/o}
 * per struct (evaluated under {@code set language c}, where gdb accepts quoted Go names with
 * dots and slashes); constants from {@code -data-evaluate-expression}. Both are cached: the
 * runtime model asks for the same few dozen names.
 */
public final class GdbTypeCatalog implements TypeCatalog {
    private final GdbSession gdb;
    private final Map<String, Optional<StructLayout>> structs = new HashMap<>();
    private final Map<String, OptionalLong> constants = new HashMap<>();
    private boolean languageSet;

    public GdbTypeCatalog(GdbSession gdb) {
        this.gdb = gdb;
    }

    @Override
    public synchronized Optional<StructLayout> struct(String name) {
        return structs.computeIfAbsent(name, this::loadStruct);
    }

    @Override
    public synchronized OptionalLong constant(String name) {
        return constants.computeIfAbsent(name, this::loadConstant);
    }

    private void ensureC() {
        if (!languageSet) {
            gdb.console("set language c");
            languageSet = true;
        }
    }

    private Optional<StructLayout> loadStruct(String name) {
        ensureC();
        try {
            String out = gdb.console("ptype/o struct '" + name + "'");
            if (!out.contains("type = struct")) {
                return Optional.empty();
            }
            return Optional.of(PtypeParser.parse(out));
        } catch (GdbCommandException e) {
            return Optional.empty(); // "No struct type named ..."
        }
    }

    private OptionalLong loadConstant(String name) {
        ensureC();
        try {
            String v = gdb.execute("-data-evaluate-expression " + MiQuote.cString("(long)'" + name + "'"))
                    .results().string("value").orElse("");
            return OptionalLong.of(Long.parseLong(v.strip()));
        } catch (GdbCommandException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
