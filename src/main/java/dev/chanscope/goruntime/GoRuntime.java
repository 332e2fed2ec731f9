package dev.chanscope.goruntime;

import dev.chanscope.arch.CodeDecoder;
import dev.chanscope.arch.amd64.Amd64Decoder;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.proc.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Go runtime of one target as a typed model: version, layouts from DWARF, the pclntab,
 * and the runtime's own name tables (status and wait-reason strings) read from memory, in the
 * way HotSpot's Serviceability Agent builds its model from VMStructs.
 */
public final class GoRuntime {
    private final Target target;
    private final Memory memory;
    private final GoLayouts layouts;
    private final String version;
    private final Pclntab pclntab; // null while the roots read before it (buildVersion, firstmoduledata) are looked up
    private final long typesBase;
    private final List<String> statusNames;
    private final List<String> waitReasons;
    private final long scanBit;
    private final Map<String, OptionalLong> symbols = new ConcurrentHashMap<>();
    private final Map<Long, GoStatus> statuses = new ConcurrentHashMap<>();

    /**
     * The runtime of {@code target}, built once per input and handed to everything that reads
     * it (the snapshot, the blocked-channel view, the diagnosis).
     *
     * @throws RuntimeLayoutException (BAD_INPUT) when the runtime's variables cannot be read
     */
    /** The Go releases whose runtimes chanscope has been checked against (docs/compatibility.md). */
    public static final int OLDEST_MINOR = 18;
    public static final int NEWEST_MINOR = 27;

    private static final java.util.regex.Pattern GO_MINOR = java.util.regex.Pattern.compile("go1\\.(\\d+)");

    /**
     * Why a program built by Go {@code version} (runtime.buildVersion: "go1.26.8",
     * "go1.27rc1", "devel go1.28-abcdef ...") cannot be read, or empty when it can: outside
     * 1.18 to 1.27 the runtime's structures and tables are ones chanscope was never checked
     * against, and a confident answer from a misread core is worse than none.
     */
    public static java.util.Optional<String> unsupported(String version) {
        java.util.regex.Matcher m = GO_MINOR.matcher(version);
        if (!m.find()) {
            return java.util.Optional.empty(); // no release number to judge by: read it as it is
        }
        int minor = Integer.parseInt(m.group(1));
        if (minor >= OLDEST_MINOR && minor <= NEWEST_MINOR) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("the program was built with " + version.strip() + "; chanscope reads Go 1."
                + OLDEST_MINOR + " to 1." + NEWEST_MINOR + " (docs/compatibility.md)");
    }

    public static GoRuntime of(Target target) {
        try {
            return new GoRuntime(target);
        } catch (MemoryAccessException e) {
            throw new RuntimeLayoutException("the Go runtime's variables cannot be read (" + e.getMessage() + ")");
        } catch (IllegalArgumentException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            // a damaged moduledata or pcHeader (the pclntab's header is checked as it is read)
            throw new RuntimeLayoutException("the Go runtime's tables are damaged: " + e.getMessage());
        }
    }

    private GoRuntime(Target target) {
        this.target = target;
        this.memory = target.memory();
        this.layouts = GoLayouts.load(target.types());
        OptionalLong bv = symbol("runtime.buildVersion");
        // A stripped binary has no symbol to read it at: the layout table was chosen by the
        // version its build information records, which is the same string.
        this.version = bv.isPresent() ? memory.goString(memory.u64(bv.getAsLong()), memory.u64(bv.getAsLong() + 8), 64)
                : target.types().goVersion().orElseThrow(() -> missing("runtime.buildVersion"));
        unsupported(version).ifPresent(why -> {
            throw new RuntimeLayoutException(why);
        });
        GoLayouts.Moduledata mdl = layouts.moduledata();
        long md = symbol("runtime.firstmoduledata").orElseGet(() -> findModuledata(mdl));
        this.pclntab = new Pclntab(memory, memory.u64(md + mdl.pcHeader()), memory.u64(md + mdl.gofunc()),
                memory.u64(md + mdl.text()));
        this.typesBase = memory.u64(md + mdl.types());
        this.statusNames = stringArray("runtime.gStatusStrings");
        this.waitReasons = stringArray("runtime.waitReasonStrings");
        this.scanBit = target.types().constant("runtime._Gscan").orElse(0x1000);
    }

    public Target target() {
        return target;
    }

    public Memory memory() {
        return memory;
    }

    public GoLayouts layouts() {
        return layouts;
    }

    /** "go1.26.8". */
    public String version() {
        return version;
    }

    public Pclntab pclntab() {
        return pclntab;
    }

    /**
     * The run-time address of {@code name}: the target's symbols, else, for a stripped binary,
     * a function's entry from the pclntab, or runtime.allgs and runtime.allm found through the
     * code that reads them ({@link StrippedRoots}).
     */
    public OptionalLong symbol(String name) {
        OptionalLong known = symbols.get(name);
        if (known != null) {
            return known;
        }
        OptionalLong a = target.symbolAddress(name);
        if (a.isEmpty() && pclntab != null) {
            a = recovered(name);
        }
        symbols.put(name, a);
        return a;
    }

    public long requireSymbol(String name) {
        return symbol(name).orElseThrow(() -> missing(name));
    }

    private RuntimeLayoutException missing(String name) {
        return new RuntimeLayoutException("the binary has no symbol " + name + (target.types().goVersion().isPresent()
                ? " and it cannot be found from the runtime's own tables (stripped binary; docs/stripped.md)"
                : ": not a Go program, or an unsupported Go version"));
    }

    /** Where the runtime's struct layouts came from: "DWARF", "built-in table for go1.26.8/amd64". */
    public String layoutSource() {
        return target.types().source();
    }

    private OptionalLong recovered(String name) {
        Optional<CodeDecoder> decoder = decoder();
        return switch (name) {
            case "runtime.allgs" -> decoder.isEmpty() ? OptionalLong.empty()
                    : StrippedRoots.allgs(memory, pclntab, decoder.get(), layouts.g());
            case "runtime.allm" -> decoder.isEmpty() ? OptionalLong.empty()
                    : StrippedRoots.allm(memory, pclntab, decoder.get(), layouts.m(), threadIds());
            default -> pclntab.funcByName(name).map(f -> OptionalLong.of(f.entry())).orElse(OptionalLong.empty());
        };
    }

    /** Machine code is read through arch/, by the target's machine (ELF e_machine). */
    private Optional<CodeDecoder> decoder() {
        return switch (target.machine()) {
            case 62 -> Optional.of(new Amd64Decoder()); // EM_X86_64
            case 183 -> Optional.of(new dev.chanscope.arch.arm64.Arm64Decoder()); // EM_AARCH64
            default -> Optional.empty();
        };
    }

    private Set<Long> threadIds() {
        Set<Long> out = new HashSet<>();
        target.threads().forEach(t -> out.add((long) t.lwp()));
        return out;
    }

    /**
     * runtime.firstmoduledata without a symbol: the word in the data that points at the
     * pclntab's header (the section bounds and .gopclntab come from the section headers, which
     * stripping keeps).
     */
    private long findModuledata(GoLayouts.Moduledata mdl) {
        OptionalLong pcHeader = target.symbolAddress("runtime.pcheader");
        // From the end of the code: Go 1.26 moved firstmoduledata into its own section
        // (.go.module) before .noptrdata; older linkers write it into .noptrdata.
        OptionalLong from = target.symbolAddress("runtime.etext");
        OptionalLong to = target.symbolAddress("runtime.enoptrdata");
        if (pcHeader.isEmpty() || from.isEmpty() || to.isEmpty()) {
            throw missing("runtime.firstmoduledata");
        }
        return StrippedRoots.moduledata(memory, pcHeader.getAsLong(), from.getAsLong(), to.getAsLong(), mdl)
                .orElseThrow(() -> missing("runtime.firstmoduledata"));
    }

    public GoStatus status(long raw) {
        // One object per distinct value: a million goroutines have a handful of statuses.
        return statuses.computeIfAbsent(raw, this::decodeStatus);
    }

    private GoStatus decodeStatus(long raw) {
        boolean scan = (raw & scanBit) != 0 && raw != scanBit;
        int v = (int) (raw & ~scanBit);
        // A damaged g can hold any 32 bits here: out of the table's range is "status N", never an index error.
        String name = v >= 0 && v < statusNames.size() ? statusNames.get(v) : "status " + Integer.toUnsignedString(v);
        return new GoStatus(v, name, kindOf(name), scan);
    }

    private static GoStatus.Kind kindOf(String name) {
        return switch (name) {
            case "idle" -> GoStatus.Kind.IDLE;
            case "runnable" -> GoStatus.Kind.RUNNABLE;
            case "running" -> GoStatus.Kind.RUNNING;
            case "syscall" -> GoStatus.Kind.SYSCALL;
            case "waiting" -> GoStatus.Kind.WAITING;
            case "dead" -> GoStatus.Kind.DEAD;
            case "copystack" -> GoStatus.Kind.COPYSTACK;
            case "preempted" -> GoStatus.Kind.PREEMPTED;
            default -> GoStatus.Kind.OTHER;
        };
    }

    public String waitReason(int reason) {
        return reason >= 0 && reason < waitReasons.size() ? waitReasons.get(reason) : "";
    }

    /**
     * The name of a runtime type descriptor ({@code *abi.Type}): the {@code str} name offset is
     * relative to moduledata.types; a leading '*' is dropped when tflag says ExtraStar (the
     * runtime's own rule in abi.Type.String).
     */
    public String typeName(long typeAddr) {
        if (typeAddr == 0) {
            return "nil";
        }
        GoLayouts.Type t = layouts.type();
        int tflag = memory.u8(typeAddr + t.tflag());
        int nameOff = (int) memory.u32(typeAddr + t.str());
        long name = typesBase + nameOff;
        // name: flag byte, uvarint length, bytes
        long p = name + 1;
        int len = 0;
        int shift = 0;
        for (int i = 0; i < 5; i++) {
            int b = memory.u8(p++);
            len |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        String s = new String(memory.read(p, Math.min(len, 4096)), java.nio.charset.StandardCharsets.UTF_8);
        final int tflagExtraStar = 1 << 1; // abi.TFlagExtraStar, stable since Go 1.7
        if ((tflag & tflagExtraStar) != 0 && s.startsWith("*")) {
            s = s.substring(1);
        }
        return s;
    }

    /** Kind of a runtime type (reflect.Kind numbering, which is public API and never changed). */
    public int typeKind(long typeAddr) {
        return memory.u8(typeAddr + layouts.type().kind()) & 0x1f;
    }

    public long typeSize(long typeAddr) {
        return memory.u64(typeAddr + layouts.type().sizeField());
    }

    private List<String> stringArray(String symbol) {
        OptionalLong at = symbol(symbol);
        if (at.isEmpty() && target.types().nameTable(symbol).isPresent()) {
            return target.types().nameTable(symbol).get(); // the release's own table (stripped binary)
        }
        long addr = at.orElseThrow(() -> missing(symbol));
        long size = target.symbolSize(symbol).orElse(0);
        int n = (int) Math.min(size / 16, 256);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long p = memory.u64(addr + 16L * i);
            long l = memory.u64(addr + 16L * i + 8);
            out.add(l > 0 && l < 256 ? memory.goString(p, l, 256) : "");
        }
        return List.copyOf(out);
    }
}
