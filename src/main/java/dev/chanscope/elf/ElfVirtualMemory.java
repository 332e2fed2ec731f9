package dev.chanscope.elf;

import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;

/**
 * {@link Memory} over one ELF file's PT_LOAD segments, as the file would be loaded (no
 * relocation): an executable's text, rodata and pclntab without a process or a core. Used to
 * read a binary's own tables (pclntab, call sites) and by tests.
 */
public final class ElfVirtualMemory implements Memory {
    private final ElfFile file;

    public ElfVirtualMemory(ElfFile file) {
        this.file = file;
    }

    @Override
    public byte[] read(long address, int length) {
        if (length < 0) { // a length computed from damaged data
            throw new MemoryAccessException(address, length);
        }
        byte[] out = new byte[length];
        if (!file.readVirtual(address, out, 0, length)) {
            throw new MemoryAccessException(address, length);
        }
        return out;
    }

    @Override
    public boolean isReadable(long address, int length) {
        return length >= 0 && file.readVirtual(address, new byte[length], 0, length);
    }
}
