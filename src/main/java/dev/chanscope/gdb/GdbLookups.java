package dev.chanscope.gdb;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.LinkerSymbols;
import dev.chanscope.gdb.GdbCommandException;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.MiQuote;
import dev.chanscope.gdb.MiValue;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The gdb questions every target asks the same way: a symbol's address when the executable's
 * own symbol table lacks it, a symbol's size, and memory as the slow fallback.
 */
public final class GdbLookups {
    private GdbLookups() {
    }

    /** The address of {@code name}: the ELF symbol table first (plus the load bias), gdb's expression evaluator else. */
    public static OptionalLong symbolAddress(ElfFile exe, GdbSession gdb, String name, long bias) {
        OptionalLong a = exe.symbolAddress(name);
        if (a.isPresent()) {
            return OptionalLong.of(a.getAsLong() + bias);
        }
        // A stripped binary keeps its section headers: the linker's boundary symbols are there.
        OptionalLong bound = LinkerSymbols.address(exe, name);
        if (bound.isPresent()) {
            return OptionalLong.of(bound.getAsLong() + bias);
        }
        try {
            String v = gdb.execute("-data-evaluate-expression " + MiQuote.cString("(long)&'" + name + "'"))
                    .results().string("value").orElse("");
            return OptionalLong.of(Long.parseLong(v.strip()));
        } catch (GdbCommandException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public static OptionalLong symbolSize(ElfFile exe, String name) {
        return exe.symbols().stream().filter(sym -> sym.name().equals(name) && sym.size() > 0)
                .mapToLong(ElfFile.Symbol::size).findFirst();
    }

    /** {@code -data-read-memory-bytes}: the whole range or nothing. */
    public static Optional<byte[]> readMemory(GdbSession gdb, long address, int length) {
        try {
            var r = gdb.execute("-data-read-memory-bytes " + address + " " + length);
            List<MiValue> mem = GdbThreads.list(r.results().get("memory").orElseThrow());
            if (mem.isEmpty() || !(mem.get(0) instanceof MiValue.Tuple first)) {
                return Optional.empty();
            }
            String contents = first.string("contents").orElse("");
            long begin = Long.decode(first.string("begin").orElse("-1"));
            if (begin != address || contents.length() != 2L * length) {
                return Optional.empty();
            }
            return Optional.of(HexFormat.of().parseHex(contents));
        } catch (GdbCommandException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
