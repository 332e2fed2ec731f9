package dev.chanscope.core;

import dev.chanscope.elf.ElfFile;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where the executable was loaded, relative to the addresses its file says: 0 for a fixed-address
 * executable ({@code ET_EXEC}), a random page-aligned amount for a position-independent one
 * ({@code ET_DYN}: {@code -buildmode=pie}, the default on some distributions' toolchains).
 *
 * <p>Every address the executable's file gives (its symbols, its segments, the pclntab when read
 * from the file) is a link-time address; memory, registers, gdb's answers (gdb relocates the
 * executable when it loads the core) and the runtime's own pointers are run-time addresses.
 * run-time = link-time + bias.
 *
 * @param value  the bias
 * @param source how it was found: "fixed" (ET_EXEC), "AT_ENTRY", "NT_FILE", "maps", or "none"
 *               (a PIE whose load address nothing recorded; the bias is then 0 and wrong)
 */
public record LoadBias(long value, String source) {
    /** auxv keys (include/uapi/linux/auxvec.h). */
    static final long AT_PHDR = 3, AT_ENTRY = 9;
    private static final long PAGE = 4096;

    public static final LoadBias FIXED = new LoadBias(0, "fixed");

    /** True when a PIE's load address could not be found: addresses from the file cannot be trusted. */
    public boolean unknown() {
        return source.equals("none");
    }

    /**
     * From a core: AT_ENTRY (the running entry point) minus e_entry; failing that, the NT_FILE
     * mapping of the executable's file offset 0 minus its first PT_LOAD's page.
     */
    public static LoadBias ofCore(ElfFile core, ElfFile exe) {
        if (exe.type() != ElfFile.ET_DYN) {
            return FIXED;
        }
        OptionalLong entry = core.auxv(AT_ENTRY);
        if (entry.isPresent() && exe.entry() != 0) {
            long bias = entry.getAsLong() - exe.entry();
            if ((bias & (PAGE - 1)) == 0) {
                return new LoadBias(bias, "AT_ENTRY");
            }
        }
        Optional<Long> mapped = firstMapping(core.mappedFiles(), core.auxv(AT_PHDR), exe);
        return mapped.map(start -> new LoadBias(start - firstLoadPage(exe), "NT_FILE"))
                .orElse(new LoadBias(0, "none"));
    }

    /** The lowest PT_LOAD's page: what file offset 0 is mapped at in link-time addresses. */
    static long firstLoadPage(ElfFile exe) {
        return exe.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD)
                .mapToLong(ElfFile.Segment::vaddr).min().orElse(0) & -PAGE;
    }

    /** The start of the mapping of the executable's offset 0: the one holding AT_PHDR, else one named like the file. */
    private static Optional<Long> firstMapping(List<ElfFile.MappedFile> files, OptionalLong phdr, ElfFile exe) {
        Optional<String> path = Optional.empty();
        if (phdr.isPresent()) {
            long a = phdr.getAsLong();
            path = files.stream().filter(m -> Long.compareUnsigned(a, m.start()) >= 0 && Long.compareUnsigned(a, m.end()) < 0)
                    .map(ElfFile.MappedFile::path).findFirst();
        }
        String name = exe.path().getFileName().toString();
        String want = path.orElse(null);
        return files.stream()
                .filter(m -> m.fileOffset() == 0)
                .filter(m -> want != null ? m.path().equals(want) : m.path().endsWith("/" + name))
                .map(ElfFile.MappedFile::start).findFirst();
    }

    /** "0x55d1c0000000 (from AT_ENTRY)". */
    public String describe() {
        return String.format("0x%x (%s)", value, source);
    }
}
