package dev.chanscope.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The build ids of the program that dumped a core, read from the core itself.
 *
 * <p>The kernel dumps the first page of every file mapping that starts with an ELF header
 * (coredump_filter bit 4, on by default), so the main executable's ELF header, program headers
 * and the notes near the start of the file (the Go build id note, the GNU build id note) are in
 * the core's memory at the executable's load address. That address is the NT_FILE mapping that
 * holds AT_PHDR (from NT_AUXV: where the program headers are in memory); without AT_PHDR, the
 * first NT_FILE mapping, which is the executable for the usual address-space layouts.
 *
 * <p>Only PT_NOTE segments are read, as in memory there are no section headers. Go's linker
 * puts only {@code .note.go.buildid} in its PT_NOTE (Go 1.22 writes no GNU note; Go 1.26 writes
 * one derived from the Go id, outside the PT_NOTE), so for Go the Go id is what a core yields;
 * gcc's PT_NOTE holds the GNU id.
 *
 * @param executable the executable's path as NT_FILE recorded it at the crash, when known
 * @param base       the address of the executable's ELF header in the core, when found
 */
public record CoreBuildIds(Optional<String> executable, OptionalLong base, BuildIds ids) {
    private static final long AT_PHDR = 3;
    private static final int PT_NOTE = 4;
    /** Notes beyond this are not build ids; a damaged header must not make us read megabytes. */
    private static final int MAX_NOTE_BYTES = 64 * 1024;
    private static final int MAX_PHNUM = 512;

    public static CoreBuildIds read(ElfFile core) {
        List<ElfFile.MappedFile> files = core.mappedFiles();
        OptionalLong phdr = core.auxv(AT_PHDR);
        Optional<ElfFile.MappedFile> exeMap = Optional.empty();
        if (phdr.isPresent()) {
            long a = phdr.getAsLong();
            exeMap = files.stream().filter(m -> Long.compareUnsigned(a, m.start()) >= 0
                    && Long.compareUnsigned(a, m.end()) < 0).findFirst();
        }
        if (exeMap.isEmpty()) {
            exeMap = files.stream().findFirst();
        }
        OptionalLong base = OptionalLong.empty();
        if (exeMap.isPresent()) {
            ElfFile.MappedFile m = exeMap.get();
            // The mapping of file offset 0 holds the ELF header; the one holding AT_PHDR usually is it.
            base = OptionalLong.of(files.stream()
                    .filter(f -> f.path().equals(m.path()) && f.fileOffset() == 0)
                    .mapToLong(ElfFile.MappedFile::start)
                    .findFirst().orElse(m.start() - m.fileOffset()));
        } else if (phdr.isPresent()) {
            base = OptionalLong.of(phdr.getAsLong() & ~0xfffL); // program headers right after the ELF header
        }
        Optional<String> path = exeMap.map(ElfFile.MappedFile::path);
        if (base.isEmpty()) {
            return new CoreBuildIds(path, base, BuildIds.NONE);
        }
        return new CoreBuildIds(path, base, idsAt(core, base.getAsLong()));
    }

    /** Parses the ELF header at {@code base} in the core's memory, its program headers and PT_NOTE notes. */
    private static BuildIds idsAt(ElfFile core, long base) {
        Optional<byte[]> ehdr = core.readVirtual(base, 64);
        if (ehdr.isEmpty()) {
            return BuildIds.NONE;
        }
        ByteBuffer h = le(ehdr.get());
        if (h.getInt(0) != 0x464c457f || h.get(4) != 2 || h.get(5) != 1) {
            return BuildIds.NONE; // not ELF64 little-endian: not an executable's first page
        }
        long phoff = h.getLong(32);
        int phentsize = Short.toUnsignedInt(h.getShort(54));
        int phnum = Short.toUnsignedInt(h.getShort(56));
        if (phentsize != 56 || phnum == 0 || phnum > MAX_PHNUM || phoff < 0 || phoff > 1 << 20) {
            return BuildIds.NONE;
        }
        Optional<byte[]> phdrs = core.readVirtual(base + phoff, phnum * 56);
        if (phdrs.isEmpty()) {
            return BuildIds.NONE;
        }
        ByteBuffer p = le(phdrs.get());
        Optional<String> gnu = Optional.empty();
        Optional<String> go = Optional.empty();
        for (int i = 0; i < phnum; i++) {
            int at = i * 56;
            if (p.getInt(at) != PT_NOTE) {
                continue;
            }
            long offset = p.getLong(at + 8);
            long filesz = p.getLong(at + 32);
            long align = p.getLong(at + 48);
            if (offset < 0 || filesz <= 0 || filesz > MAX_NOTE_BYTES || offset > 1 << 20) {
                continue;
            }
            // File offset X of the executable is at base + X within its first mapping; notes
            // past the first page were not dumped, and readVirtual says so.
            Optional<byte[]> area = core.readVirtual(base + offset, (int) filesz);
            if (area.isEmpty()) {
                continue;
            }
            for (Note n : notes(area.get(), align == 8 ? 8 : 4)) {
                if (gnu.isEmpty() && n.type == ElfFile.NT_GNU_BUILD_ID && n.name.equals("GNU") && n.desc.length > 0) {
                    gnu = Optional.of(HexFormat.of().formatHex(n.desc));
                } else if (go.isEmpty() && n.type == ElfFile.NT_GO_BUILD_ID && n.name.equals("Go")) {
                    String id = trimNul(n.desc);
                    if (!id.isEmpty()) {
                        go = Optional.of(id);
                    }
                }
            }
        }
        return new BuildIds(gnu, go);
    }

    private record Note(String name, int type, byte[] desc) {}

    private static List<Note> notes(byte[] area, int align) {
        ByteBuffer b = le(area);
        List<Note> out = new java.util.ArrayList<>();
        int p = 0;
        while (p + 12 <= area.length) {
            long namesz = Integer.toUnsignedLong(b.getInt(p));
            long descsz = Integer.toUnsignedLong(b.getInt(p + 4));
            int type = b.getInt(p + 8);
            long descAt = p + 12 + pad(namesz, align);
            long next = descAt + pad(descsz, align);
            if (descAt + descsz > area.length) {
                break;
            }
            String name = trimNul(java.util.Arrays.copyOfRange(area, p + 12, (int) (p + 12 + namesz)));
            out.add(new Note(name, type, java.util.Arrays.copyOfRange(area, (int) descAt, (int) (descAt + descsz))));
            if (next <= p || next > area.length) {
                break;
            }
            p = (int) next;
        }
        return out;
    }

    private static long pad(long n, int align) {
        return (n + align - 1) & -(long) align;
    }

    private static String trimNul(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
