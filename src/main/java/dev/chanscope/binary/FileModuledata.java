package dev.chanscope.binary;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.ElfVirtualMemory;
import dev.chanscope.elf.LinkerSymbols;
import dev.chanscope.goruntime.GoLayouts;
import dev.chanscope.goruntime.StrippedRoots;
import dev.chanscope.layouts.BuiltInLayouts;
import dev.chanscope.layouts.LayoutTable;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The executable's firstmoduledata as the linker wrote it into the file, for a binary without
 * a symbol table: what the symbols runtime.text, go:func.* and runtime.types would have said.
 * Found as the runtime finds nothing (it has the symbol): by the word that points at the
 * pclntab's header, with the moduledata layout of the binary's Go release (built-in table).
 * A position-independent binary's pointers are filled in at load time by R_X86_64_RELATIVE
 * relocations, whose addends are the link-time values: those are read from .rela.dyn.
 *
 * @param text   moduledata.text (runtime.text)
 * @param gofunc moduledata.gofunc (go:func.*)
 * @param types  moduledata.types (runtime.types)
 */
record FileModuledata(long text, long gofunc, long types) {

    static Optional<FileModuledata> read(ElfFile exe, long pcHeader) {
        try {
            GoLayouts.Moduledata md = GoLayouts.load(BuiltInLayouts.forBinary(exe, exe.path().toString(),
                    LayoutTable.builtIn())).moduledata();
            OptionalLong from = LinkerSymbols.address(exe, "runtime.etext");
            OptionalLong to = LinkerSymbols.address(exe, "runtime.enoptrdata");
            if (from.isEmpty() || to.isEmpty()) {
                return Optional.empty();
            }
            Memory mem = new ElfVirtualMemory(exe);
            Map<Long, Long> relative = relativeRelocations(exe);
            OptionalLong at = StrippedRoots.moduledata(mem, pcHeader, from.getAsLong(), to.getAsLong(), md);
            if (at.isEmpty()) {
                // PIE: the word is 0 in the file; its relocation's addend is the pcHeader.
                at = relative.entrySet().stream().filter(e -> e.getValue() == pcHeader)
                        .mapToLong(e -> e.getKey() - md.pcHeader())
                        .filter(a -> relative.containsKey(a + md.types()) && relative.containsKey(a + md.text()))
                        .findFirst();
            }
            if (at.isEmpty()) {
                return Optional.empty();
            }
            long a = at.getAsLong();
            return Optional.of(new FileModuledata(word(mem, relative, a + md.text()), word(mem, relative, a + md.gofunc()),
                    word(mem, relative, a + md.types())));
        } catch (RuntimeException e) {
            return Optional.empty(); // no build info, no table entry, unreadable: the symbols were the only way
        }
    }

    private static long word(Memory mem, Map<Long, Long> relative, long address) {
        Long r = relative.get(address);
        return r != null ? r : mem.u64(address);
    }

    private static final int SHT_RELA = 4;
    private static final int R_X86_64_RELATIVE = 8;
    private static final int R_AARCH64_RELATIVE = 1027;

    /** r_offset → r_addend of every RELATIVE relocation of the dynamic relocation sections. */
    static Map<Long, Long> relativeRelocations(ElfFile exe) {
        Map<Long, Long> out = new HashMap<>();
        for (ElfFile.Section s : exe.sections()) {
            if (s.type() != SHT_RELA || s.size() > (256L << 20) || (s.flags() & 2) == 0) { // SHF_ALLOC: .rela.dyn
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(exe.readAt(s.offset(), (int) s.size())).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 24 <= b.limit(); i += 24) {
                int type = (int) b.getLong(i + 8);
                if (type == R_X86_64_RELATIVE || type == R_AARCH64_RELATIVE) {
                    out.put(b.getLong(i), b.getLong(i + 16));
                }
            }
        }
        return out;
    }
}
