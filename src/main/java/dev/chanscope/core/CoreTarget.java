package dev.chanscope.core;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.elf.BuildDebugInfo;
import dev.chanscope.elf.BuildIds;
import dev.chanscope.elf.BuildMatch;
import dev.chanscope.elf.CoreBuildIds;
import dev.chanscope.elf.DebugFile;
import dev.chanscope.elf.DebugFileLocator;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.LinkerSymbols;
import dev.chanscope.gdb.GdbCommandException;
import dev.chanscope.gdb.GdbLookups;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.GdbThreads;
import dev.chanscope.gdb.GdbTypeCatalog;
import dev.chanscope.layouts.BuiltInLayouts;
import dev.chanscope.layouts.LayoutTable;
import dev.chanscope.layouts.SourcedCatalog;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.proc.NativeFrame;
import dev.chanscope.proc.Target;
import dev.chanscope.proc.ThreadContext;
import dev.chanscope.proc.TypeCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** A core file of a Go program, with its executable, read through gdb and directly. */
public final class CoreTarget implements Target {
    private final ElfFile core;
    private final ElfFile exe;
    /** A separate debug file (DWARF and .symtab of a stripped exe), or null. */
    private final ElfFile debugElf;
    /** Where symbols are looked up: the debug file when there is one (the stripped exe has none). */
    private final ElfFile symbolFile;
    private final GdbSession gdb;
    private final Memory memory;
    private final TypeCatalog types;
    private final Optional<Truncation> truncation;
    private final LoadBias bias;
    private final List<String> warnings;
    private List<ThreadContext> threads;

    private CoreTarget(ElfFile core, ElfFile exe, ElfFile debugElf, GdbSession gdb, List<String> warnings,
                       TypeCatalog catalog) {
        this.core = core;
        this.exe = exe;
        this.debugElf = debugElf;
        this.symbolFile = debugElf != null ? debugElf : exe;
        this.gdb = gdb;
        this.truncation = Truncation.of(core);
        this.bias = LoadBias.ofCore(core, exe);
        CoreMemory direct = new CoreMemory(core, exe, bias.value(), this::gdbRead);
        this.memory = truncation.isPresent() ? new MissingAware(direct, lostRanges(core)) : direct;
        this.types = catalog != null ? catalog : new GdbTypeCatalog(gdb);
        List<String> w = new ArrayList<>(warnings);
        if (bias.unknown()) {
            w.add("the binary is position-independent but the core records neither its entry point (NT_AUXV)"
                    + " nor its mappings (NT_FILE): addresses from the binary may be wrong");
        }
        this.warnings = List.copyOf(w);
    }

    /**
     * A core whose PT_LOAD segments reach past the end of the file: cut short by a full disk, a
     * copy that stopped, a size limit ({@code ulimit -c}, systemd-coredump's limits).
     *
     * @param present bytes in the file
     * @param expected bytes the program headers describe
     */
    public record Truncation(long present, long expected) {
        static Optional<Truncation> of(ElfFile core) {
            long end = 0;
            for (ElfFile.Segment s : core.segments()) {
                if (s.type() == ElfFile.PT_LOAD || s.type() == ElfFile.PT_NOTE) {
                    end = Math.max(end, s.offset() + s.filesz());
                }
            }
            return end > core.fileSize() ? Optional.of(new Truncation(core.fileSize(), end)) : Optional.empty();
        }

        /** True when the cut is inside a PT_NOTE segment: threads and mappings are incomplete. */
        boolean inNotes(ElfFile core) {
            return core.segments().stream().anyMatch(s -> s.type() == ElfFile.PT_NOTE && s.offset() + s.filesz() > present);
        }

        /** "the core is truncated: N of M bytes present". */
        public String describe() {
            return "the core is truncated: " + present + " of " + expected + " bytes present";
        }
    }

    /**
     * Opens a core and its executable, checks they belong together, and starts gdb on them.
     *
     * @param force analyze even when the binary does not match the core
     */
    public static CoreTarget open(Path corePath, Path exePath, boolean force) {
        return open(corePath, exePath, force, corePath.toString(), exePath.toString());
    }

    /**
     * {@link #open(Path, Path, boolean)} with the names the user knows the files by (an unpacked
     * core lives in the cache under a hash; messages name what the user typed).
     *
     * @throws ChanscopeException BAD_INPUT for a core or binary chanscope cannot use (not a core,
     *     not a Go executable, no debug information), BINARY_MISMATCH when the build ids differ
     *     and {@code force} is off, GDB when gdb fails
     */
    public static CoreTarget open(Path corePath, Path exePath, boolean force, String coreName, String binaryName) {
        return open(openCore(corePath, coreName), exePath, force, coreName, binaryName);
    }

    /**
     * {@link #open(Path, Path, boolean, String, String)} with the core already opened by
     * {@link #openCore}; the target takes it over (and closes it, also when this fails).
     */
    public static CoreTarget open(ElfFile core, Path exePath, boolean force, String coreName, String binaryName) {
        return open(core, exePath, force, coreName, binaryName, DebugFileLocator.NONE);
    }

    /**
     * {@link #open(ElfFile, Path, boolean, String, String)} for an executable that may have a
     * separate debug file: when it has no DWARF, {@code debug} is asked for one, and without
     * one the runtime's layouts come from the built-in table (docs/stripped.md).
     */
    public static CoreTarget open(ElfFile core, Path exePath, boolean force, String coreName, String binaryName,
                                  DebugFileLocator debug) {
        Path corePath = core.path();
        ElfFile exe = null;
        ElfFile debugElf = null;
        GdbSession gdb = null;
        try {
            exe = renamed(exePath, binaryName, () -> ElfFile.open(exePath));
            if (exe.type() != ElfFile.ET_EXEC && exe.type() != ElfFile.ET_DYN) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "binary " + binaryName + " is an ELF "
                        + typeName(exe.type()) + ", not an executable");
            }
            if (core.machine() != exe.machine()) {
                throw new ChanscopeException(ExitCode.BINARY_MISMATCH, "core " + coreName + " is from "
                        + machineName(core.machine()) + " and binary " + binaryName + " is built for "
                        + machineName(exe.machine()) + ": pass the binary that crashed");
            }
            if (core.machine() != ElfFile.EM_X86_64 && core.machine() != ElfFile.EM_AARCH64) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "core " + coreName + " is from "
                        + machineName(core.machine()) + "; chanscope reads amd64 and arm64 cores");
            }
            // (a stripped PIE of Go 1.22 or older has its pclntab in .data.rel.ro.gopclntab)
            if (exe.symbolAddress("runtime.allgs").isEmpty() && LinkerSymbols.address(exe, "runtime.pcheader").isEmpty()) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "binary " + binaryName
                        + " is not a Go program (no Go runtime symbols)");
            }
            List<String> warnings = new ArrayList<>();
            Optional<String> mismatch = mismatch(core, exe, coreName, binaryName);
            if (mismatch.isPresent()) {
                if (!force) {
                    throw new ChanscopeException(ExitCode.BINARY_MISMATCH, mismatch.get());
                }
                warnings.add("--force: " + mismatch.get().replaceFirst(": pass the binary that crashed.*$", "")
                        + "; analyzed anyway, so the report may be wrong");
            }
            // Without DWARF the layouts come from a separate debug file, else from the built-in
            // table of the binary's Go release (docs/stripped.md); the refusal is for a release
            // the table lacks. After the build-id check: the lookup may ask a debuginfod server.
            Optional<DebugFile> debugFile = BuildDebugInfo.of(exe).hasDwarf() ? Optional.empty()
                    : debug.locate(exe, exePath, binaryName);
            TypeCatalog catalog = BuildDebugInfo.of(exe).hasDwarf() || debugFile.isPresent() ? null
                    : BuiltInLayouts.forBinary(exe, binaryName, LayoutTable.builtIn());
            if (debugFile.isPresent()) {
                debugElf = ElfFile.open(debugFile.get().path());
            }
            Optional<Truncation> cut = Truncation.of(core);
            cut.ifPresent(t -> warnings.add(t.describe() + " (memory past byte " + t.present()
                    + " is missing; what lived there is reported as unreadable)"));
            unmappedFile(core).ifPresent(warnings::add);
            gdb = GdbSession.startFor(exe.machine());
            try {
                gdb.loadExecutable(exePath);
            } catch (GdbCommandException e) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "binary " + binaryName + " cannot be loaded by gdb: "
                        + named(e.getMessage(), exePath, binaryName), e);
            }
            if (debugFile.isPresent()) {
                try {
                    gdb.loadSymbols(debugFile.get().path());
                } catch (GdbCommandException e) {
                    throw new ChanscopeException(ExitCode.BAD_INPUT, "debug file " + debugFile.get().path()
                            + " cannot be loaded by gdb: " + e.getMessage(), e);
                }
                catalog = new SourcedCatalog(new GdbTypeCatalog(gdb), "DWARF of debug file " + debugFile.get().path()
                        + " (" + debugFile.get().route() + ")");
            }
            try {
                gdb.openCore(corePath);
            } catch (GdbCommandException e) {
                // gdb runs but refuses the file: the core is damaged (or cut, as said above).
                String why = named(e.getMessage(), corePath, coreName);
                throw new ChanscopeException(ExitCode.BAD_INPUT, cut.map(t -> coreName + " is truncated at " + t.present()
                        + " of " + t.expected() + " bytes, and gdb cannot open what is left: " + why)
                        .orElse(coreName + " is damaged: gdb cannot open it as a core: " + why), e);
            }
            return new CoreTarget(core, exe, debugElf, gdb, warnings, catalog);
        } catch (RuntimeException e) {
            if (gdb != null) {
                gdb.close();
            }
            if (debugElf != null) {
                debugElf.close();
            }
            if (exe != null) {
                exe.close();
            }
            core.close();
            throw e;
        }
    }

    /** The Go name of an ELF e_machine, as GOARCH spells it, for messages. */
    static String machineName(int machine) {
        return switch (machine) {
            case ElfFile.EM_X86_64 -> "amd64";
            case ElfFile.EM_AARCH64 -> "arm64";
            case 3 -> "386";
            case 40 -> "arm";
            case 21 -> "ppc64";
            case 22 -> "s390x";
            case 243 -> "riscv64";
            default -> "e_machine " + machine;
        };
    }

    /**
     * Opens a file that must be an ELF core, with messages naming it as the user does.
     *
     * @throws ChanscopeException (BAD_INPUT) when it is missing, not ELF, damaged, or an ELF that
     *     is not a core
     */
    public static ElfFile openCore(Path corePath, String coreName) {
        checkHeader(corePath, coreName);
        ElfFile core = renamed(corePath, coreName, () -> ElfFile.open(corePath));
        if (core.type() != ElfFile.ET_CORE) {
            core.close();
            throw new ChanscopeException(ExitCode.BAD_INPUT, coreName + " is an ELF " + typeName(core.type())
                    + ", not a core dump");
        }
        List<ElfFile.Segment> segments = core.segments();
        for (int i = 0; i < segments.size(); i++) {
            int type = segments.get(i).type();
            // Linux (kernel and gcore) cores hold PT_NOTE and PT_LOAD, plus processor-specific
            // segments on some architectures (arm64 MTE tags); anything else is garbage read as
            // program headers: a damaged e_phnum or e_phoff, or overwritten headers.
            boolean processorSpecific = Integer.compareUnsigned(type, PT_LOPROC) >= 0
                    && Integer.compareUnsigned(type, PT_HIPROC) <= 0;
            if (type != ElfFile.PT_LOAD && type != ElfFile.PT_NOTE && type != 0 && !processorSpecific) {
                core.close();
                throw new ChanscopeException(ExitCode.BAD_INPUT, coreName + " is damaged: program header " + i + " of "
                        + segments.size() + " has type 0x" + Integer.toHexString(type) + ", which no core has");
            }
        }
        for (int i = 0; i < segments.size(); i++) {
            ElfFile.Segment s = segments.get(i);
            // No ELF segment holds more bytes in the file than in memory: a damaged p_filesz,
            // which would otherwise read as a core truncated at some absurd size.
            if (s.type() == ElfFile.PT_LOAD && Long.compareUnsigned(s.filesz(), s.memsz()) > 0) {
                core.close();
                throw new ChanscopeException(ExitCode.BAD_INPUT, coreName + " is damaged: program header " + i + " of "
                        + segments.size() + " gives its segment " + Long.toUnsignedString(s.filesz())
                        + " bytes in the file but only " + Long.toUnsignedString(s.memsz()) + " in memory");
            }
        }
        // The kernel (and gdb's gcore) write the segments' data in program-header order, one after
        // the other: data placed before the previous segment's end is a damaged p_offset or
        // p_filesz, which would otherwise read as a truncation at an absurd size.
        long previousEnd = 0;
        int previous = -1;
        for (int i = 0; i < segments.size(); i++) {
            ElfFile.Segment s = segments.get(i);
            if (s.type() != ElfFile.PT_LOAD || s.filesz() == 0) {
                continue;
            }
            if (previous >= 0 && Long.compareUnsigned(s.offset(), previousEnd) < 0) {
                core.close();
                throw new ChanscopeException(ExitCode.BAD_INPUT, coreName + " is damaged: program header " + i + " of "
                        + segments.size() + " places its data at byte " + Long.toUnsignedString(s.offset())
                        + ", inside the data of program header " + previous);
            }
            previousEnd = s.offset() + s.filesz();
            previous = i;
        }
        Optional<Truncation> cut = Truncation.of(core);
        if (cut.isPresent() && cut.get().expected() > MAX_CORE_BYTES) {
            core.close(); // no process has that much memory to dump: the offsets are garbage
            throw new ChanscopeException(ExitCode.BAD_INPUT, coreName + " is damaged: its program headers place data at"
                    + " byte " + cut.get().expected() + ", beyond any core");
        }
        if (cut.isPresent() && cut.get().inNotes(core)) {
            core.close();
            throw new ChanscopeException(ExitCode.BAD_INPUT, coreName + " is truncated at " + cut.get().present() + " of "
                    + cut.get().expected() + " bytes, inside its notes (threads, registers, mappings): too little is"
                    + " left to analyze");
        }
        return core;
    }

    /**
     * Catches header damage that ElfFile would call truncation: program headers said to start
     * past the end of the file are a damaged header (overwritten bytes), not a short file.
     */
    private static void checkHeader(Path path, String name) {
        byte[] h;
        long size;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            h = in.readNBytes(64);
            size = java.nio.file.Files.size(path);
        } catch (java.io.IOException | RuntimeException e) {
            return; // ElfFile.open reports missing and unreadable files
        }
        if (h.length < 64 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F' || h[4] != 2 || h[5] != 1) {
            return;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phnum > 0 && phnum != 0xffff && Long.compareUnsigned(phoff, size) >= 0) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, name + " has a damaged ELF header: its program headers"
                    + " would start at byte " + Long.toUnsignedString(phoff) + ", past the end of the file ("
                    + size + " bytes)");
        }
    }

    private static String named(String message, Path path, String name) {
        String m = message == null ? "" : message;
        return m.replace(path.toAbsolutePath().normalize().toString(), name).replace(path.toString(), name);
    }

    /** Runs an ElfFile operation, naming the file as the user knows it in any error. */
    private static ElfFile renamed(Path path, String name, java.util.function.Supplier<ElfFile> open) {
        try {
            return open.get();
        } catch (ChanscopeException e) {
            String shown = path.toString();
            if (name.equals(shown) || e.getMessage() == null || !e.getMessage().contains(shown)) {
                throw e;
            }
            throw new ChanscopeException(e.exitCode(), e.getMessage().replace(shown, name), e);
        }
    }

    /**
     * The build ids decide (see {@link CoreBuildIds}); when the core has neither, the
     * executable's first page as the core holds it is compared with the file's.
     */
    private static Optional<String> mismatch(ElfFile core, ElfFile exe, String coreName, String binaryName) {
        BuildMatch m = BuildMatch.compare(CoreBuildIds.read(core).ids(), BuildIds.of(exe));
        return switch (m.verdict()) {
            case MATCH -> Optional.empty();
            case MISMATCH -> Optional.of(m.mismatchMessage(binaryName, coreName));
            case UNKNOWN -> pageMismatch(core, exe, coreName, binaryName);
        };
    }

    /**
     * The kernel dumps the first page of every file-backed mapping (coredump_filter bit 4, on by
     * default), so the core holds the executable's ELF header and build-id notes: compare them
     * with the file's. A different page means a different build. Reached only when the core's
     * notes could not be parsed as such (damaged, or laid out unusually).
     */
    private static Optional<String> pageMismatch(ElfFile core, ElfFile exe, String coreName, String binaryName) {
        LoadBias bias = LoadBias.ofCore(core, exe);
        if (bias.unknown()) {
            return Optional.empty(); // PIE with no record of where it was loaded: nothing to compare
        }
        CoreMemory coreOnly = new CoreMemory(core, exe, bias.value(), (a, n) -> Optional.empty());
        // .go.buildinfo last: qemu-user's cores (arm64 samples, docs/arm64.md) hold no byte of the
        // text mapping, so neither note, but they hold the data segment, where the linker puts the
        // build info (module path, build settings) that the runtime never writes.
        for (String note : List.of(".note.go.buildid", ".note.gnu.build-id", ".go.buildinfo")) {
            Optional<ElfFile.Section> sec = exe.section(note);
            if (sec.isEmpty() || sec.get().addr() == 0 || !coreOnly.inCore(sec.get().addr() + bias.value())) {
                continue;
            }
            int n = (int) Math.min(sec.get().size(), 4096);
            byte[] inCore = coreOnly.read(sec.get().addr() + bias.value(), n);
            byte[] inFile = exe.readAt(sec.get().offset(), n);
            if (!Arrays.equals(inCore, inFile) && note.equals(".go.buildinfo")) {
                return Optional.of("binary " + binaryName + " (" + BuildIds.of(exe).describe() + ") does not match core "
                        + coreName + " (its copy of the binary's build info differs): pass the binary that crashed,"
                        + " or --force");
            }
            if (!Arrays.equals(inCore, inFile)) {
                return Optional.of("binary " + binaryName + " (" + BuildIds.of(exe).describe() + ") does not match core "
                        + coreName + " (its copy of the binary's " + note + " note reads " + printable(inCore)
                        + "): pass the binary that crashed, or --binary-search DIR, or --force");
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Ranges of writable segments the core should hold but lost to truncation. */
    private static long[][] lostRanges(ElfFile core) {
        List<long[]> lost = new ArrayList<>();
        for (ElfFile.Segment s : core.segments()) {
            if (s.type() != ElfFile.PT_LOAD || s.filesz() == 0) {
                continue;
            }
            long present = Math.max(0, Math.min(s.filesz(), core.fileSize() - s.offset()));
            // A read-only file mapping (the executable's text) reads correctly from the
            // executable; a writable one (data, bss, heap, stacks) would read the file's stale
            // initial values or zeros there, so its lost part must read as missing.
            if (present < s.filesz() && (s.flags() & PF_W) != 0) {
                lost.add(new long[] {s.vaddr() + present, s.vaddr() + s.filesz()});
            }
        }
        lost.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
        return lost.toArray(new long[0][]);
    }

    private static final int PF_W = 2;
    /** A core holds at most the user address space, 2^47 bytes on amd64 with 4-level paging. */
    private static final long MAX_CORE_BYTES = 1L << 47;
    private static final int PT_LOPROC = 0x70000000, PT_HIPROC = 0x7fffffff;

    /** Memory that refuses ranges the core lost, rather than filling them from the executable or gdb. */
    private static final class MissingAware implements Memory {
        private final Memory inner;
        private final long[][] lost;

        MissingAware(Memory inner, long[][] lost) {
            this.inner = inner;
            this.lost = lost;
        }

        /**
         * The ranges are sorted and disjoint, so [address, end) meets one of them exactly when
         * the last range starting before {@code end} ends after {@code address}.
         */
        private boolean touchesLost(long address, int length) {
            long end = address + length;
            int lo = 0;
            int hi = lost.length - 1;
            int last = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(lost[mid][0], end) < 0) {
                    last = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return last >= 0 && Long.compareUnsigned(lost[last][1], address) > 0;
        }

        @Override
        public byte[] read(long address, int length) {
            if (touchesLost(address, length)) {
                throw new MemoryAccessException(address, length);
            }
            return inner.read(address, length);
        }

        @Override
        public boolean isReadable(long address, int length) {
            return !touchesLost(address, length) && inner.isReadable(address, length);
        }
    }

    /**
     * The kernel writes a PT_LOAD segment for every mapping, and NT_FILE lists the file-backed
     * ones: an NT_FILE range outside every PT_LOAD (or empty) is a damaged note, whose paths and
     * offsets (the executable's, its load address) cannot be trusted.
     */
    /** goruntime.Snapshot.IMPLAUSIBLE (core/ is below goruntime/): a warning that caps the confidence. */
    private static final String IMPLAUSIBLE = "implausible: ";

    static Optional<String> unmappedFile(ElfFile core) {
        List<ElfFile.MappedFile> files;
        try {
            files = core.mappedFiles();
        } catch (RuntimeException e) {
            return Optional.of(IMPLAUSIBLE + "the core's NT_FILE note cannot be parsed");
        }
        for (ElfFile.MappedFile f : files) {
            boolean covered = Long.compareUnsigned(f.start(), f.end()) < 0 && core.segments().stream()
                    .anyMatch(s -> s.type() == ElfFile.PT_LOAD && s.contains(f.start()) && s.contains(f.end() - 1));
            if (!covered) {
                return Optional.of(IMPLAUSIBLE + String.format("the core's NT_FILE note maps %s at [0x%x, 0x%x),"
                        + " where no PT_LOAD segment is; the note is damaged", f.path(), f.start(), f.end()));
            }
        }
        return Optional.empty();
    }

    /** Why the core cannot hold everything, when it was cut short. */
    public Optional<Truncation> truncation() {
        return truncation;
    }

    /** Remarks made while opening: truncation, a mismatch analyzed anyway (--force). */
    public List<String> warnings() {
        return warnings;
    }

    private static String printable(byte[] note) {
        // Go's note is name "Go\0\0", type 4, then the build id text; show the text when it is one.
        if (note.length > 16) {
            String s = new String(note, 16, note.length - 16, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .replace("\0", "");
            if (s.chars().allMatch(c -> c >= 32 && c < 127)) {
                return s;
            }
        }
        return HexFormat.of().formatHex(note);
    }

    private static String typeName(int type) {
        return switch (type) {
            case ElfFile.ET_EXEC -> "executable";
            case ElfFile.ET_DYN -> "shared object or PIE executable";
            case ElfFile.ET_CORE -> "core";
            case 1 -> "relocatable object";
            default -> "file of type " + type;
        };
    }

    /**
     * The most gdb is asked to read at once. gdb serves only what neither file holds (a shared
     * library's pages); a longer request comes from a length read out of damaged memory, and gdb
     * would answer it in hex, megabytes of it (47 MB of a PROT_NONE arena took 10 s and then
     * tripped the output cap, ending the session). Such a read is refused as unreadable.
     */
    static final int MAX_GDB_READ = 1 << 20;

    private Optional<byte[]> gdbRead(long address, int length) {
        if (length > MAX_GDB_READ) {
            return Optional.empty();
        }
        return GdbLookups.readMemory(gdb, address, length);
    }

    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public synchronized List<ThreadContext> threads() {
        if (threads == null) {
            threads = GdbThreads.read(gdb);
        }
        return threads;
    }

    @Override
    public OptionalLong symbolAddress(String name) {
        return GdbLookups.symbolAddress(symbolFile, gdb, name, bias.value());
    }

    @Override
    public OptionalLong symbolSize(String name) {
        return GdbLookups.symbolSize(symbolFile, name);
    }

    @Override
    public int machine() {
        return exe.machine();
    }

    @Override
    public int terminatingSignal() {
        List<ElfFile.PrStatus> ts = core.threads();
        return ts.isEmpty() ? 0 : ts.get(0).signal();
    }

    @Override
    public List<NativeFrame> nativeFrames(int lwp) {
        try {
            return GdbThreads.frames(gdb, lwp, 64);
        } catch (GdbCommandException | NumberFormatException | ClassCastException e) {
            return List.of();
        }
    }

    @Override
    public TypeCatalog types() {
        return types;
    }

    @Override
    public Path executable() {
        return exe.path();
    }

    /** The executable's load bias: run-time address = link-time address + bias. */
    public LoadBias loadBias() {
        return bias;
    }

    public ElfFile coreFile() {
        return core;
    }

    public ElfFile executableFile() {
        return exe;
    }

    @Override
    public String describe() {
        return "core file " + core.path() + " (binary " + exe.path() + ")";
    }

    @Override
    public void close() {
        gdb.close();
        if (debugElf != null) {
            debugElf.close();
        }
        exe.close();
        core.close();
    }
}
