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
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The executable's firstmoduledata as the linker wrote it into the file, for a binary without
 * a symbol table: what the symbols runtime.text, go:func.* and runtime.types would have said.
 * Found as the runtime finds nothing (it has the symbol): by the word that points at the
 * pclntab's header, with the moduledata layout of the binary's Go release (built-in table).
 * A position-independent binary's pointers are filled in by relocations at load time and read
 * as 0 here; then there is no answer and the caller takes the core's moduledata.
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
            OptionalLong at = StrippedRoots.moduledata(mem, pcHeader, from.getAsLong(), to.getAsLong(), md);
            if (at.isEmpty()) {
                return Optional.empty();
            }
            long a = at.getAsLong();
            return Optional.of(new FileModuledata(mem.u64(a + md.text()), mem.u64(a + md.gofunc()), mem.u64(a + md.types())));
        } catch (RuntimeException e) {
            return Optional.empty(); // no build info, no table entry, unreadable: the symbols were the only way
        }
    }
}
