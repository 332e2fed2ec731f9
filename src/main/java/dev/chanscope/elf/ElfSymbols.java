package dev.chanscope.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A symbol table (.symtab or .dynsym) with a name index. Elf64_Sym is 24 bytes: st_name u32,
 * st_info u8 (type in the low 4 bits), st_other u8, st_shndx u16, st_value u64, st_size u64.
 */
final class ElfSymbols {
    private static final int ENTRY = 24;

    private final List<ElfFile.Symbol> all;
    private final Map<String, ElfFile.Symbol> byName;

    private ElfSymbols(List<ElfFile.Symbol> all) {
        this.all = List.copyOf(all);
        this.byName = new HashMap<>(all.size() * 2);
        for (ElfFile.Symbol s : all) {
            if (!s.name().isEmpty()) {
                // Local symbols may repeat a name (static C functions); the first one wins.
                byName.putIfAbsent(s.name(), s);
            }
        }
    }

    static ElfSymbols empty() {
        return new ElfSymbols(List.of());
    }

    /**
     * Reads a symbol table whose entries are at [offset, offset + size) and whose names are in
     * the string table at [strOffset, strOffset + strSize). Entry 0 (the null symbol) is skipped.
     */
    static ElfSymbols read(ElfBytes bytes, long offset, long size, long strOffset, long strSize) {
        if (!bytes.contains(offset, size) || !bytes.contains(strOffset, strSize) || strSize > Integer.MAX_VALUE) {
            return empty();
        }
        byte[] strtab = bytes.read(strOffset, (int) strSize);
        long count = size / ENTRY;
        List<ElfFile.Symbol> symbols = new ArrayList<>((int) Math.min(count, 1 << 20));
        for (long i = 1; i < count; i++) {
            long e = offset + i * ENTRY;
            int nameOff = (int) bytes.u32(e);
            int type = bytes.u8(e + 4) & 0xf;
            long value = bytes.u64(e + 8);
            long sz = bytes.u64(e + 16);
            symbols.add(new ElfFile.Symbol(string(strtab, nameOff), value, sz, type));
        }
        return new ElfSymbols(symbols);
    }

    List<ElfFile.Symbol> all() {
        return all;
    }

    Optional<ElfFile.Symbol> symbol(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    OptionalLong address(String name) {
        ElfFile.Symbol s = byName.get(name);
        return s == null ? OptionalLong.empty() : OptionalLong.of(s.value());
    }

    private static String string(byte[] strtab, int off) {
        if (off < 0 || off >= strtab.length) {
            return "";
        }
        int end = off;
        while (end < strtab.length && strtab[end] != 0) {
            end++;
        }
        return new String(strtab, off, end - off, StandardCharsets.UTF_8);
    }
}
