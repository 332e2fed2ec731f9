package dev.chanscope.elf;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.proc.MemoryAccessException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Read-only ELF64 little-endian reader for executables and core files (memory-mapped, so a
 * 300 MB core costs no heap). Only what chanscope needs: headers, segments, sections, notes,
 * the symbol table and build ids.
 *
 * <p>Instances are safe for concurrent reads. The file is mapped in windows on first use; a
 * mapping outlives {@link #close()} until it is garbage-collected (Java 17 has no public
 * unmap), which is harmless for a read-only mapping.
 */
public final class ElfFile implements AutoCloseable {

    /** e_type values. */
    public static final int ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    public static final int EM_X86_64 = 62, EM_AARCH64 = 183;
    public static final int PT_LOAD = 1, PT_NOTE = 4;
    /** Core note types. */
    public static final int NT_PRSTATUS = 1, NT_PRPSINFO = 3, NT_AUXV = 6, NT_FILE = 0x46494c45;
    /** Executable note types: NT_GNU_BUILD_ID (owner "GNU") and the Go build id (owner "Go", ELF_NOTE_GOBUILDID_TAG). */
    public static final int NT_GNU_BUILD_ID = 3, NT_GO_BUILD_ID = 4;
    /** Section types. */
    public static final int SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_DYNSYM = 11;
    /** Symbol types (st_info &amp; 0xf). */
    public static final int STT_OBJECT = 1, STT_FUNC = 2;

    private static final int EHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int SHDR_SIZE = 64;
    /** e_phnum value meaning "the real count is in section 0's sh_info" (cores with 65535+ mappings). */
    private static final int PN_XNUM = 0xffff;
    private static final int SHN_XINDEX = 0xffff;

    public record Segment(int type, int flags, long offset, long vaddr, long filesz, long memsz) {
        public boolean contains(long address) {
            // Written as a difference so that a segment ending at 2^64 (vsyscall) does not wrap.
            return Long.compareUnsigned(address, vaddr) >= 0 && Long.compareUnsigned(address - vaddr, memsz) < 0;
        }
    }

    public record Section(String name, int type, long flags, long addr, long offset, long size) {}

    public record Note(String name, int type, byte[] desc) {}

    public record Symbol(String name, long value, long size, int type) {}

    /** A thread from a core's NT_PRSTATUS note: its LWP id and amd64 user_regs_struct by name (rip, rsp, rbp, fs_base, ...). */
    public record PrStatus(int lwp, int signal, java.util.Map<String, Long> registers) {}

    /** One entry of a core's NT_FILE note: a file mapped at [start, end) from file offset (bytes). */
    public record MappedFile(long start, long end, long fileOffset, String path) {}

    private final Path path;
    private final FileChannel channel;
    private final ElfBytes bytes;
    private final int type;
    private final int machine;
    private final long entry;
    private final List<Segment> segments;
    /** PT_LOAD segments sorted by vaddr (unsigned), for readVirtual's binary search. */
    private final Segment[] loads;
    private final List<Section> sections;
    private final List<ElfNotes.Area> noteAreas;
    // Parsed on first use: an executable's symbol table has 10^5 entries that a core never needs.
    private volatile ElfSymbols symbols;
    private volatile List<Note> notes;

    private ElfFile(Path path, FileChannel channel, ElfBytes bytes) {
        this.path = path;
        this.channel = channel;
        this.bytes = bytes;
        ElfHeader h = ElfHeader.read(path, bytes);
        this.type = h.type();
        this.machine = h.machine();
        this.entry = h.entry();
        List<Long> segmentAligns = new ArrayList<>();
        this.segments = readSegments(h, segmentAligns);
        this.loads = segments.stream()
                .filter(s -> s.type() == PT_LOAD)
                .sorted((a, b) -> Long.compareUnsigned(a.vaddr(), b.vaddr()))
                .toArray(Segment[]::new);
        List<Long> sectionAligns = new ArrayList<>();
        this.sections = readSections(h, sectionAligns);
        this.noteAreas = noteAreas(segmentAligns, sectionAligns);
    }

    /**
     * Opens and validates the ELF header.
     *
     * @throws dev.chanscope.ChanscopeException (BAD_INPUT) with a one-line message when the file is
     *     missing, empty, not ELF, not 64-bit little-endian, or its headers point outside the file
     */
    public static ElfFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw bad(path + " is a directory, not an ELF file");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw bad(path + " does not exist");
        } catch (AccessDeniedException e) {
            throw bad(path + " is not readable (permission denied)");
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, path + " cannot be opened: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size == 0) {
                throw bad(path + " is empty");
            }
            // chanscope.elf.mapLimit: the size above which a file is read, not mapped (ElfBytes; tests set it to 0)
            long mapLimit = Long.getLong("chanscope.elf.mapLimit", ElfBytes.MAP_LIMIT);
            return new ElfFile(path, channel, new ElfBytes(channel, size, mapLimit));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ChanscopeException(ExitCode.BAD_INPUT, path + " cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int type() {
        return type;
    }

    public int machine() {
        return machine;
    }

    /** e_entry: the entry point of an executable (0 in a core). Compare with AT_ENTRY to find a PIE's load bias. */
    public long entry() {
        return entry;
    }

    public long fileSize() {
        return bytes.size();
    }

    public List<Segment> segments() {
        return segments;
    }

    public List<Section> sections() {
        return sections;
    }

    public Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Reads bytes at a file offset; short reads past end of file throw MemoryAccessException. */
    public byte[] readAt(long fileOffset, int length) {
        return bytes.read(fileOffset, length);
    }

    /**
     * Reads bytes at a virtual address from PT_LOAD segments' file contents (bytes between
     * filesz and memsz read as zero); empty when any byte of the range is not in a segment, or
     * is in a segment whose file part is absent (for a core truncated short).
     *
     * <p>In a core, bytes between filesz and memsz are not zero but were not dumped (the kernel
     * leaves out file-backed read-only mappings such as the executable's text and rodata, or
     * keeps only their first page): there they are absent, so that callers fall back to the
     * executable instead of reading zeros. Only in executables and shared objects do they read
     * as zero (.bss).
     */
    public Optional<byte[]> readVirtual(long address, int length) {
        byte[] out = new byte[length];
        return readVirtual(address, out, 0, length) ? Optional.of(out) : Optional.empty();
    }

    /**
     * Allocation-free form of {@link #readVirtual(long, int)} for hot paths (the unwinder's word
     * reads): fills {@code dst[off, off + length)} and returns true, or returns false (leaving
     * {@code dst} partly written) when any byte is absent.
     */
    public boolean readVirtual(long address, byte[] dst, int off, int length) {
        int done = 0;
        while (done < length) {
            long a = address + done;
            Segment s = loadContaining(a);
            if (s == null) {
                return false;
            }
            long inSeg = a - s.vaddr();
            long left = s.memsz() - inSeg; // unsigned: a damaged memsz can be above 2^63
            int n = Long.compareUnsigned(left, length - done) < 0 ? (int) left : length - done;
            // Bytes of the segment actually present in this file (a truncated core has fewer; a
            // damaged header can place them before the file's start or claim 2^63 of them).
            long present = s.offset() < 0 || s.filesz() < 0 ? 0 : Math.max(0, Math.min(s.filesz(), bytes.size() - s.offset()));
            if (Long.compareUnsigned(inSeg, present) < 0) { // unsigned: memsz may exceed 2^63 (found by ElfFuzzTest)
                int fromFile = (int) Math.min(n, present - inSeg);
                bytes.read(s.offset() + inSeg, dst, off + done, fromFile);
                done += fromFile;
            } else if (type != ET_CORE && inSeg >= s.filesz()) {
                Arrays.fill(dst, off + done, off + done + n, (byte) 0);
                done += n;
            } else {
                return false;
            }
        }
        return true;
    }

    /** Notes from PT_NOTE segments (cores) and SHT_NOTE sections (executables), in file order. */
    public List<Note> notes() {
        List<Note> n = notes;
        if (n == null) {
            List<Note> all = new ArrayList<>();
            for (ElfNotes.Area a : noteAreas) {
                all.addAll(ElfNotes.parse(bytes, a));
            }
            n = List.copyOf(all);
            notes = n;
        }
        return n;
    }

    /** From .symtab (or .dynsym when .symtab is absent). */
    public OptionalLong symbolAddress(String name) {
        return symbolTable().address(name);
    }

    /** The first symbol with this exact name, with its size and type. */
    public Optional<Symbol> symbol(String name) {
        return symbolTable().symbol(name);
    }

    public List<Symbol> symbols() {
        return symbolTable().all();
    }

    /** NT_GNU_BUILD_ID as lower-case hex. */
    public Optional<String> gnuBuildId() {
        return notes().stream()
                .filter(n -> n.type() == NT_GNU_BUILD_ID && n.name().equals("GNU"))
                .findFirst()
                .map(n -> HexFormat.of().formatHex(n.desc()));
    }

    /** The Go build id from the .note.go.buildid note (the string the go tool prints with `go tool buildid`). */
    public Optional<String> goBuildId() {
        // The linker writes the note into .note.go.buildid; a binary stripped of its section
        // headers still has it in the PT_NOTE segment, so fall back to any "Go" note of type 4.
        List<Note> candidates = section(".note.go.buildid")
                .map(s -> ElfNotes.parse(bytes, new ElfNotes.Area(s.offset(), s.size(), 4)))
                .orElseGet(this::notes);
        return candidates.stream()
                .filter(n -> n.type() == NT_GO_BUILD_ID && n.name().equals("Go"))
                .findFirst()
                .map(n -> trimNul(n.desc()));
    }

    /** Core only: threads in note order (the first is the thread that received the fatal signal). */
    public List<PrStatus> threads() {
        return coreNotes(NT_PRSTATUS).stream().map(n -> ElfCoreNotes.prstatus(n.desc(), machine)).toList();
    }

    /** Core only: NT_FILE mappings. */
    public List<MappedFile> mappedFiles() {
        return coreNotes(NT_FILE).stream().findFirst().map(n -> ElfCoreNotes.mappedFiles(n.desc())).orElse(List.of());
    }

    /**
     * Core only: pr_fname and pr_psargs from NT_PRPSINFO. This is pr_psargs, the command line
     * with its arguments separated by spaces and cut at 79 characters; pr_fname (the
     * executable's base name, at most 15 characters) when pr_psargs is empty. See {@link #processName()}.
     */
    public Optional<String> commandLine() {
        return coreNotes(NT_PRPSINFO).stream().findFirst().flatMap(n -> {
            String args = ElfCoreNotes.psargs(n.desc());
            return ElfCoreNotes.nonEmpty(args.isEmpty() ? ElfCoreNotes.fname(n.desc()) : args);
        });
    }

    /** Core only: pr_fname from NT_PRPSINFO, the executable's base name cut at 15 characters. */
    public Optional<String> processName() {
        return coreNotes(NT_PRPSINFO).stream().findFirst().flatMap(n -> ElfCoreNotes.nonEmpty(ElfCoreNotes.fname(n.desc())));
    }

    /**
     * Core only: the value of an NT_AUXV entry, e.g. AT_ENTRY (9), the running entry point:
     * minus {@link #entry()} of the executable it gives a PIE's load bias.
     */
    public OptionalLong auxv(long key) {
        for (Note n : coreNotes(NT_AUXV)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(n.desc()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 16 <= n.desc().length && b.getLong(i) != 0; i += 16) {
                if (b.getLong(i) == key) {
                    return OptionalLong.of(b.getLong(i + 8));
                }
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    @Override
    public String toString() {
        return "ElfFile[" + path + "]";
    }

    // ---- internals ----

    private List<Note> coreNotes(int noteType) {
        // Core notes are owned by "CORE"; "LINUX" notes reuse small type numbers (e.g. 0x200+).
        return notes().stream().filter(n -> n.type() == noteType && n.name().equals("CORE")).toList();
    }

    private Segment loadContaining(long address) {
        int lo = 0;
        int hi = loads.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Segment s = loads[mid];
            if (Long.compareUnsigned(address, s.vaddr()) < 0) {
                hi = mid - 1;
            } else if (s.contains(address)) {
                return s;
            } else {
                lo = mid + 1;
            }
        }
        return null;
    }

    private List<Segment> readSegments(ElfHeader h, List<Long> aligns) {
        List<Segment> list = new ArrayList<>(h.phnum());
        for (int i = 0; i < h.phnum(); i++) {
            long p = h.phoff() + (long) i * PHDR_SIZE;
            list.add(new Segment((int) bytes.u32(p), (int) bytes.u32(p + 4), bytes.u64(p + 8), bytes.u64(p + 16),
                    bytes.u64(p + 32), bytes.u64(p + 40)));
            aligns.add(bytes.u64(p + 48));
        }
        return List.copyOf(list);
    }

    private List<Section> readSections(ElfHeader h, List<Long> aligns) {
        if (h.shnum() == 0) {
            return List.of();
        }
        long[] nameOffsets = new long[h.shnum()];
        List<long[]> raw = new ArrayList<>(h.shnum());
        for (int i = 0; i < h.shnum(); i++) {
            long p = h.shoff() + (long) i * SHDR_SIZE;
            nameOffsets[i] = bytes.u32(p);
            // type, flags, addr, offset, size
            raw.add(new long[] {bytes.u32(p + 4), bytes.u64(p + 8), bytes.u64(p + 16), bytes.u64(p + 24), bytes.u64(p + 32)});
            aligns.add(bytes.u64(p + 48));
        }
        byte[] shstrtab = new byte[0];
        // SHN_UNDEF (0): no section names (a core's lone extended-numbering section).
        if (h.shstrndx() > 0 && h.shstrndx() < raw.size()) {
            long[] s = raw.get(h.shstrndx());
            if (s[0] != SHT_NOBITS && bytes.contains(s[3], s[4]) && s[4] < Integer.MAX_VALUE) {
                shstrtab = bytes.read(s[3], (int) s[4]);
            }
        }
        List<Section> list = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            long[] s = raw.get(i);
            list.add(new Section(cString(shstrtab, nameOffsets[i]), (int) s[0], s[1], s[2], s[3], s[4]));
        }
        return List.copyOf(list);
    }

    private List<ElfNotes.Area> noteAreas(List<Long> segmentAligns, List<Long> sectionAligns) {
        List<ElfNotes.Area> fromSections = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            if (s.type() == SHT_NOTE && s.size() > 0) {
                fromSections.add(new ElfNotes.Area(s.offset(), s.size(), sectionAligns.get(i)));
            }
        }
        List<ElfNotes.Area> fromSegments = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            Segment p = segments.get(i);
            if (p.type() == PT_NOTE && p.filesz() > 0) {
                fromSegments.add(new ElfNotes.Area(p.offset(), p.filesz(), segmentAligns.get(i)));
            }
        }
        return ElfNotes.merge(fromSections, fromSegments);
    }

    private ElfSymbols symbolTable() {
        ElfSymbols s = symbols;
        if (s == null) {
            s = loadSymbols();
            symbols = s;
        }
        return s;
    }

    private ElfSymbols loadSymbols() {
        Optional<Section> table = sections.stream().filter(s -> s.type() == SHT_SYMTAB).findFirst()
                .or(() -> sections.stream().filter(s -> s.type() == SHT_DYNSYM).findFirst());
        if (table.isEmpty()) {
            return ElfSymbols.empty();
        }
        Section t = table.get();
        // sh_link of a symbol table names its string table; read it from the raw header.
        int index = sections.indexOf(t);
        long link = bytes.u32(shoff() + (long) index * SHDR_SIZE + 40);
        if (link >= sections.size()) {
            return ElfSymbols.empty();
        }
        Section str = sections.get((int) link);
        return ElfSymbols.read(bytes, t.offset(), t.size(), str.offset(), str.size());
    }

    private long shoff() {
        return bytes.u64(40);
    }

    private static String cString(byte[] table, long off) {
        if (off < 0 || off >= table.length) {
            return "";
        }
        int start = (int) off;
        int end = start;
        while (end < table.length && table[end] != 0) {
            end++;
        }
        return new String(table, start, end - start, StandardCharsets.UTF_8);
    }

    private static String trimNul(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    static ChanscopeException bad(String message) {
        return new ChanscopeException(ExitCode.BAD_INPUT, message);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing a read-only channel cannot lose data.
        }
    }

    /** The validated fields of the ELF header that the rest of the reader needs. */
    private record ElfHeader(int type, int machine, long entry, long phoff, int phnum, long shoff, int shnum, int shstrndx) {
        static ElfHeader read(Path path, ElfBytes b) {
            long size = b.size();
            byte[] ident = b.read(0, (int) Math.min(16, size));
            if (ident.length < 4 || ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F') {
                throw bad(path + " is not an ELF file");
            }
            if (ident.length < 6) {
                throw bad(path + " is truncated: its ELF header needs " + EHDR_SIZE + " bytes but the file has " + size);
            }
            if (ident[4] == 1) {
                throw bad(path + " is a 32-bit ELF file; chanscope reads 64-bit ELF only");
            }
            if (ident[4] != 2) {
                throw bad(path + " is not an ELF file (unknown class " + ident[4] + ")");
            }
            if (ident[5] == 2) {
                throw bad(path + " is a big-endian ELF file; chanscope reads little-endian ELF only");
            }
            if (ident[5] != 1) {
                throw bad(path + " is not an ELF file (unknown data encoding " + ident[5] + ")");
            }
            if (size < EHDR_SIZE) {
                throw bad(path + " is truncated: its ELF header needs " + EHDR_SIZE + " bytes but the file has " + size);
            }
            int type = b.u16(16);
            int machine = b.u16(18);
            long entry = b.u64(24);
            long phoff = b.u64(32);
            long shoff = b.u64(40);
            int phentsize = b.u16(54);
            int phnum = b.u16(56);
            int shentsize = b.u16(58);
            int shnum = b.u16(60);
            int shstrndx = b.u16(62);

            // Section 0 holds the real counts when they do not fit in the header: e_phnum
            // PN_XNUM (cores of 65535+ mappings), e_shnum 0 and e_shstrndx SHN_XINDEX.
            boolean hasSections = shoff != 0 && (shnum > 0 || phnum == PN_XNUM || type != ET_CORE);
            if (hasSections) {
                if (shentsize != SHDR_SIZE) {
                    throw bad(path + " is not a valid ELF file: section header size " + shentsize + ", expected " + SHDR_SIZE);
                }
                if (phnum == PN_XNUM) {
                    if (!b.contains(shoff, SHDR_SIZE)) {
                        throw truncated(path, "section headers", shoff + SHDR_SIZE, size);
                    }
                    phnum = (int) b.u32(shoff + 44);
                }
            }
            if (phnum > 0) {
                if (phentsize != PHDR_SIZE) {
                    throw bad(path + " is not a valid ELF file: program header size " + phentsize + ", expected " + PHDR_SIZE);
                }
                if (!b.contains(phoff, (long) phnum * PHDR_SIZE)) {
                    throw truncated(path, "program headers", phoff + (long) phnum * PHDR_SIZE, size);
                }
            }
            if (!hasSections) {
                shnum = 0;
            } else {
                if (!b.contains(shoff, SHDR_SIZE)) {
                    throw truncated(path, "section headers", shoff + (long) Math.max(shnum, 1) * SHDR_SIZE, size);
                }
                if (shnum == 0) {
                    shnum = (int) Math.min(Integer.MAX_VALUE / SHDR_SIZE, b.u64(shoff + 32));
                }
                if (shstrndx == SHN_XINDEX) {
                    shstrndx = (int) b.u32(shoff + 40);
                }
                if (!b.contains(shoff, (long) shnum * SHDR_SIZE)) {
                    if (type != ET_CORE) {
                        throw truncated(path, "section headers", shoff + (long) shnum * SHDR_SIZE, size);
                    }
                    // A core's only section header is written at the end, after the memory:
                    // a core cut short loses it, and nothing but the counts above needed it.
                    shnum = 0;
                }
            }
            return new ElfHeader(type, machine, entry, phoff, phnum, shoff, shnum, shstrndx);
        }

        private static ChanscopeException truncated(Path path, String what, long end, long size) {
            return bad(path + " is truncated: its " + what + " end at byte " + Long.toUnsignedString(end)
                    + " but the file has " + size + " bytes");
        }
    }
}
