package dev.chanscope.target;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.gdb.GdbCommandException;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.MiQuote;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** A core file of a Go program, with its executable, read through gdb and directly. */
public final class CoreTarget implements Target {
    private final ElfFile core;
    private final ElfFile exe;
    private final GdbSession gdb;
    private final CoreMemory memory;
    private final GdbTypeCatalog types;
    private List<ThreadContext> threads;

    private CoreTarget(ElfFile core, ElfFile exe, GdbSession gdb) {
        this.core = core;
        this.exe = exe;
        this.gdb = gdb;
        this.memory = new CoreMemory(core, exe, this::gdbRead);
        this.types = new GdbTypeCatalog(gdb);
    }

    /**
     * Opens a core and its executable, checks they belong together, and starts gdb on them.
     *
     * @param force analyze even when the binary does not match the core
     */
    public static CoreTarget open(Path corePath, Path exePath, boolean force) {
        ElfFile core = ElfFile.open(corePath);
        ElfFile exe = null;
        GdbSession gdb = null;
        try {
            if (core.type() != ElfFile.ET_CORE) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, corePath + " is an ELF " + typeName(core.type())
                        + ", not a core dump");
            }
            exe = ElfFile.open(exePath);
            if (exe.type() != ElfFile.ET_EXEC && exe.type() != ElfFile.ET_DYN) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, exePath + " is an ELF " + typeName(exe.type())
                        + ", not an executable");
            }
            if (core.machine() != exe.machine()) {
                throw new ChanscopeException(ExitCode.BINARY_MISMATCH, "core " + corePath + " and binary " + exePath
                        + " are for different machines (" + core.machine() + " vs " + exe.machine() + ")");
            }
            if (exe.symbolAddress("runtime.allgs").isEmpty() && exe.section(".gopclntab").isEmpty()) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, exePath + " is not a Go program (no Go runtime symbols)");
            }
            if (!force) {
                checkMatch(core, exe, corePath, exePath);
            }
            gdb = GdbSession.start();
            gdb.loadExecutable(exePath);
            gdb.openCore(corePath);
            return new CoreTarget(core, exe, gdb);
        } catch (RuntimeException e) {
            if (gdb != null) {
                gdb.close();
            }
            if (exe != null) {
                exe.close();
            }
            core.close();
            throw e;
        }
    }

    /**
     * The kernel dumps the first page of every file-backed mapping (coredump_filter bit 4, on by
     * default), so the core holds the executable's ELF header and build-id notes: compare them
     * with the file's. A different page means a different build.
     */
    private static void checkMatch(ElfFile core, ElfFile exe, Path corePath, Path exePath) {
        if (exe.type() != ElfFile.ET_EXEC) {
            return; // PIE: the load address is not known before reading the core's mappings
        }
        CoreMemory coreOnly = new CoreMemory(core, exe, (a, n) -> Optional.empty());
        for (String note : List.of(".note.go.buildid", ".note.gnu.build-id")) {
            Optional<ElfFile.Section> sec = exe.section(note);
            if (sec.isEmpty() || sec.get().addr() == 0 || !coreOnly.inCore(sec.get().addr())) {
                continue;
            }
            int n = (int) Math.min(sec.get().size(), 4096);
            byte[] inCore = coreOnly.read(sec.get().addr(), n);
            byte[] inFile = exe.readAt(sec.get().offset(), n);
            if (!Arrays.equals(inCore, inFile)) {
                throw new ChanscopeException(ExitCode.BINARY_MISMATCH, "binary " + exePath + " does not match core "
                        + corePath + ": the core's build id is " + printable(inCore) + ", the binary's is "
                        + exe.goBuildId().or(exe::gnuBuildId).orElse(printable(inFile))
                        + " (use --force to analyze anyway)");
            }
            return;
        }
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

    private Optional<byte[]> gdbRead(long address, int length) {
        try {
            var r = gdb.execute("-data-read-memory-bytes " + address + " " + length);
            var mem = GdbThreads.list(r.results().get("memory").orElseThrow());
            if (mem.isEmpty()) {
                return Optional.empty();
            }
            MiValueAccess first = new MiValueAccess(mem.get(0));
            String contents = first.string("contents");
            long begin = Long.decode(first.string("begin"));
            if (begin != address || contents.length() != 2L * length) {
                return Optional.empty();
            }
            return Optional.of(HexFormat.of().parseHex(contents));
        } catch (GdbCommandException e) {
            return Optional.empty();
        }
    }

    /** Small adapter so the gdb fallback reads like the rest. */
    private record MiValueAccess(dev.chanscope.gdb.MiValue value) {
        String string(String name) {
            return ((dev.chanscope.gdb.MiValue.Tuple) value).string(name).orElse("");
        }
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
        OptionalLong a = exe.symbolAddress(name);
        if (a.isPresent()) {
            return a;
        }
        try {
            String v = gdb.execute("-data-evaluate-expression " + MiQuote.cString("(long)&'" + name + "'"))
                    .results().string("value").orElse("");
            return OptionalLong.of(Long.parseLong(v.strip()));
        } catch (GdbCommandException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public OptionalLong symbolSize(String name) {
        return exe.symbols().stream().filter(sym -> sym.name().equals(name) && sym.size() > 0)
                .mapToLong(ElfFile.Symbol::size).findFirst();
    }

    @Override
    public int terminatingSignal() {
        List<ElfFile.PrStatus> ts = core.threads();
        return ts.isEmpty() ? 0 : ts.get(0).signal();
    }

    @Override
    public TypeCatalog types() {
        return types;
    }

    @Override
    public Path executable() {
        return exe.path();
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
        exe.close();
        core.close();
    }
}
