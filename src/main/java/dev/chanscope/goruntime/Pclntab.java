package dev.chanscope.goruntime;

import dev.chanscope.proc.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The Go runtime's own PC tables (pclntab), read from target memory: PC to function, file:line,
 * stack-pointer delta and inline tree. This is what the runtime's traceback uses, so frames
 * we build from it match the runtime's {@code GOTRACEBACK=crash} output exactly (inlined
 * frames included), and it survives {@code -ldflags=-s -w} where DWARF does not.
 * Supports the 1.18 (magic 0xfffffff0) and 1.20+ (0xfffffff1) layouts.
 *
 * <p>Which pc to pass. Every method takes the pc to look up as is. For a frame of a stack walk
 * the runtime finds the function with the frame's pc (for a caller frame, the return address)
 * but looks up lines, pcdata and the inline tree at the CALL instruction, {@code pc - 1},
 * unless the frame was interrupted rather than calling: see {@link #symbolPc}. The stack
 * pointer delta is looked up at the frame's pc itself (runtime/traceback.go, unwinder).
 *
 * <p>{@link FuncInfo#funcOffset()} is the offset of the function's {@code _func} record from
 * the start of the func table (moduledata.pclntable, pcHeader + pclnOffset).
 *
 * <p>Function names are as stored in the binary: {@code runtime.gopanic}, generic functions
 * with their shape ({@code main.pick[go.shape.string]}). {@link #printName} turns one into what
 * the runtime prints. FuncID numbers are not stable across Go releases (Go 1.18 has no
 * corostart; 1.22 numbers runfinq 17 and runtime_main 18; 1.26 numbers runtime_main 17,
 * runFinalizers 18, runCleanups 19, and the wrapper id moved from 21 to 22 to 23), so
 * recognise special functions by name; only {@link #FUNCID_NORMAL} (0) is fixed.
 *
 * <p>Safe for concurrent use; lookups are cached per function and per pc.
 */
public final class Pclntab {

    // PCDATA and FUNCDATA table indices: internal/abi/symtab.go (Go 1.21+), runtime/symtab.go
    // (1.18-1.20), mirrored by runtime/funcdata.h. ABI, unchanged since Go 1.18 except that
    // PCDATA_PanicBounds is new (in Go 1.26, not in 1.22).
    public static final int PCDATA_UnsafePoint = 0;
    public static final int PCDATA_StackMapIndex = 1;
    public static final int PCDATA_InlTreeIndex = 2;
    public static final int PCDATA_ArgLiveIndex = 3;
    /** Recent releases only (present in Go 1.26, absent in 1.22). */
    public static final int PCDATA_PanicBounds = 4;

    public static final int FUNCDATA_ArgsPointerMaps = 0;
    public static final int FUNCDATA_LocalsPointerMaps = 1;
    public static final int FUNCDATA_StackObjects = 2;
    public static final int FUNCDATA_InlTree = 3;
    public static final int FUNCDATA_OpenCodedDeferInfo = 4;
    public static final int FUNCDATA_ArgInfo = 5;
    public static final int FUNCDATA_ArgLiveInfo = 6;
    public static final int FUNCDATA_WrapInfo = 7;

    /** FuncFlag bits (internal/abi/symtab.go FuncFlag; runtime funcFlag_* in 1.18-1.20). */
    public static final int FUNCFLAG_TopFrame = 1, FUNCFLAG_SPWrite = 2, FUNCFLAG_Asm = 4;

    /** The only FuncID value that is the same in every release. */
    public static final int FUNCID_NORMAL = 0;

    /** A function in the func table. {@code entry} is absolute; {@code end} is the next function's entry. */
    public record FuncInfo(long entry, long end, String name, int funcId, int flag, int startLine,
                           int args, int deferreturn, long funcOffset) {
        public boolean contains(long pc) {
            return Long.compareUnsigned(pc, entry) >= 0 && Long.compareUnsigned(pc, end) < 0;
        }
    }

    /**
     * One logical frame at a PC after inline expansion. {@code inlined} is true for every frame
     * that the compiler inlined into its caller (the runtime prints those with "(...)").
     */
    public record SourceFrame(String function, String file, int line, int funcId, boolean inlined) {
        /** The function name as the runtime's traceback prints it (see {@link Pclntab#printName}). */
        public String printedName() {
            return printName(function);
        }
    }

    /** Entries kept in each per-pc cache before it is cleared; far above the distinct pcs of a real core. */
    private static final int PC_CACHE_LIMIT = 1 << 16;
    /** Inline depth beyond which the tree is taken to be corrupt (a cycle through parentPc). */
    private static final int MAX_INLINE_DEPTH = 1000;
    /** Steps after which a pc-value table is taken to be corrupt (no real function has this many). */
    private static final int MAX_PCVALUE_STEPS = 1 << 24;

    private final PclnReader r;
    private final PclnLayout layout;
    private final long gofunc;
    private final long header;
    private final long text;
    private final int minLC;
    private final int nfunc;
    private final long funcnametab;
    private final long cutab;
    private final long filetab;
    private final long pctab;
    private final long pclntable;
    /** functab: entry offsets from text (nfunc + 1, the last is the end of the last function) and _func offsets. */
    private final long[] entryOffs;
    private final long[] funcOffs;
    private final AtomicReferenceArray<FuncInfo> infos;
    private volatile Map<String, Integer> byName;
    private final Map<Long, List<SourceFrame>> framesCache = new ConcurrentHashMap<>();
    private final Map<Long, Integer> spDeltaCache = new ConcurrentHashMap<>();

    /**
     * @param memory       target memory (reads the pclntab where the runtime has it)
     * @param pcHeaderAddr address of the runtime.pcHeader (moduledata.pcHeader)
     * @param goFuncAddr   moduledata.gofunc (base for funcdata offsets; the inline tree needs it)
     * @param textStart    moduledata.text (overrides pcHeader.textStart, which is not relocated for PIE);
     *                     0 to use pcHeader.textStart (Go 1.18-1.25 write it; 1.26 leaves it 0)
     * @throws IllegalArgumentException when the header magic is not a supported version
     */
    public Pclntab(Memory memory, long pcHeaderAddr, long goFuncAddr, long textStart) {
        this.header = pcHeaderAddr;
        this.r = new PclnReader(memory);
        long magic = r.u32(pcHeaderAddr);
        this.layout = PclnLayout.forMagic(magic);
        if (layout == null) {
            throw new IllegalArgumentException(String.format(
                    "pclntab at 0x%x has magic 0x%x; supported are 0xfffffff0 (Go 1.18-1.19) and 0xfffffff1 (Go 1.20+)",
                    pcHeaderAddr, magic));
        }
        // pcHeader: magic u32, pad1 u8, pad2 u8, minLC u8, ptrSize u8, then int/uintptr fields:
        // nfunc, nfiles, textStart, funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset.
        int pad = r.u8(pcHeaderAddr + 4) | r.u8(pcHeaderAddr + 5);
        this.minLC = r.u8(pcHeaderAddr + 6);
        int ptrSize = r.u8(pcHeaderAddr + 7);
        if (pad != 0 || (ptrSize != 4 && ptrSize != 8) || (minLC != 1 && minLC != 2 && minLC != 4)) {
            throw new IllegalArgumentException(String.format(
                    "pclntab at 0x%x has a bad header (pad %d, ptrSize %d, minLC %d)", pcHeaderAddr, pad, ptrSize, minLC));
        }
        long field = pcHeaderAddr + 8;
        long n = r.word(field, ptrSize);
        long headerText = r.word(field + 2L * ptrSize, ptrSize);
        this.funcnametab = pcHeaderAddr + r.word(field + 3L * ptrSize, ptrSize);
        this.cutab = pcHeaderAddr + r.word(field + 4L * ptrSize, ptrSize);
        this.filetab = pcHeaderAddr + r.word(field + 5L * ptrSize, ptrSize);
        this.pctab = pcHeaderAddr + r.word(field + 6L * ptrSize, ptrSize);
        this.pclntable = pcHeaderAddr + r.word(field + 7L * ptrSize, ptrSize);
        if (n < 0 || n > 50_000_000) {
            throw new IllegalArgumentException(String.format("pclntab at 0x%x claims %d functions", pcHeaderAddr, n));
        }
        this.nfunc = (int) n;
        this.gofunc = goFuncAddr;
        this.text = textStart != 0 ? textStart : headerText;
        if (text == 0) {
            throw new IllegalArgumentException(String.format(
                    "pclntab at 0x%x has no textStart (Go 1.26 no longer writes it): pass moduledata.text", pcHeaderAddr));
        }

        // functab: (entryoff u32, funcoff u32) x nfunc, then the end entry; at the start of pclntable.
        ByteBuffer ftab = ByteBuffer.wrap(r.bytes(pclntable, (nfunc + 1) * 8)).order(ByteOrder.LITTLE_ENDIAN);
        this.entryOffs = new long[nfunc + 1];
        this.funcOffs = new long[nfunc];
        for (int i = 0; i <= nfunc; i++) {
            entryOffs[i] = Integer.toUnsignedLong(ftab.getInt(8 * i));
            if (i < nfunc) {
                funcOffs[i] = Integer.toUnsignedLong(ftab.getInt(8 * i + 4));
            }
        }
        this.infos = new AtomicReferenceArray<>(nfunc);
    }

    /** pclntab version as the Go release that introduced it: "1.18" or "1.20". */
    public String version() {
        return layout.version();
    }

    /** The address of the pcHeader the table was read from (run-time for a core, link-time for a file). */
    public long headerAddress() {
        return header;
    }

    /** The instruction quantum (pcHeader.minLC): 1 on amd64 and 386, 4 on arm64. */
    public int minLC() {
        return minLC;
    }

    public int functionCount() {
        return nfunc;
    }

    /** The text start used for entry offsets (moduledata.text as given, or pcHeader.textStart). */
    public long textStart() {
        return text;
    }

    /** The function containing {@code pc} (binary search of the func table, cached). */
    public Optional<FuncInfo> funcAt(long pc) {
        long off = pc - text;
        if (nfunc == 0 || Long.compareUnsigned(pc, text) < 0 || off >= entryOffs[nfunc] || off < entryOffs[0]) {
            return Optional.empty();
        }
        // Largest i with entryOffs[i] <= off (runtime.findfunc without its bucket index).
        int lo = 0;
        int hi = nfunc - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (entryOffs[mid] <= off) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        // Before Go 1.26 the linker marked holes in the table (code it did not write, with
        // several text sections) with funcoff ^0.
        if (funcOffs[lo] == 0xffffffffL) {
            return Optional.empty();
        }
        return Optional.of(info(lo));
    }

    /**
     * The first function with this exact name (e.g. "runtime.chansend"). Names are not unique:
     * an assembly function and its ABIInternal wrapper share one (ELF symbols tell them apart
     * as "name.abi0" and "name"); this returns the one at the lower address.
     */
    public Optional<FuncInfo> funcByName(String name) {
        Map<String, Integer> m = byName;
        if (m == null) {
            m = new HashMap<>(nfunc * 2);
            for (int i = 0; i < nfunc; i++) {
                if (funcOffs[i] != 0xffffffffL) {
                    m.putIfAbsent(info(i).name(), i);
                }
            }
            byName = m;
        }
        Integer i = m.get(name);
        return i == null ? Optional.empty() : Optional.of(info(i));
    }

    /** Every function, in address order. */
    public List<FuncInfo> functions() {
        List<FuncInfo> all = new ArrayList<>(nfunc);
        for (int i = 0; i < nfunc; i++) {
            if (funcOffs[i] != 0xffffffffL) {
                all.add(info(i));
            }
        }
        return all;
    }

    /**
     * Innermost file and line of {@code pc} in {@code fn} (pcfile/pcln tables). The function is
     * the physical one ({@code fn}), as {@code go tool addr2line} prints it; see {@link #frames}
     * for the inlined functions. File "?" and line 0 when the tables do not cover {@code pc}.
     */
    public SourceFrame line(FuncInfo fn, long pc) {
        FileLine fl = fileLine(fn, pc);
        return new SourceFrame(fn.name(), fl.file, fl.line, fn.funcId(), false);
    }

    /**
     * Frame size at {@code pc}: bytes between the SP at {@code pc} and the return address slot
     * (the pcsp table). The caller's frame starts at sp + spDelta + 8 on amd64.
     *
     * <p>Look this up at the frame's pc itself (the return address for callers), as the runtime
     * does: {@code fp = sp + spDelta(fn, frame.pc) + ptrSize} on amd64.
     */
    public int spDelta(FuncInfo fn, long pc) {
        // A pc is in one function only, so pc is the whole key when fn contains it.
        boolean cacheable = fn.contains(pc);
        Integer cached = cacheable ? spDeltaCache.get(pc) : null;
        if (cached != null) {
            return cached;
        }
        int v = pcvalue(fn, r.u32(funcAddr(fn) + PclnLayout.PCSP), pc);
        if (cacheable) {
            remember(spDeltaCache, pc, v);
        }
        return v;
    }

    /** Value of pcdata table {@code table} at {@code pc}, or -1 when the function has none. */
    public int pcdata(FuncInfo fn, int table, long pc) {
        long f = funcAddr(fn);
        long npcdata = r.u32(f + PclnLayout.NPCDATA);
        if (table < 0 || table >= npcdata) {
            return -1;
        }
        return pcvalue(fn, r.u32(f + layout.funcSize() + 4L * table), pc);
    }

    /** Absolute address of funcdata {@code index}, or 0 when absent. */
    public long funcdata(FuncInfo fn, int index) {
        long f = funcAddr(fn);
        int nfuncdata = r.u8(f + layout.nfuncdataOff());
        if (index < 0 || index >= nfuncdata) {
            return 0;
        }
        long npcdata = r.u32(f + PclnLayout.NPCDATA);
        long off = r.u32(f + layout.funcSize() + 4 * npcdata + 4L * index);
        return off == 0xffffffffL ? 0 : gofunc + off;
    }

    /**
     * The logical frames at {@code pc}, innermost first: the inlined calls (from the inline tree,
     * PCDATA_InlTreeIndex / FUNCDATA_InlTree) followed by the physical function itself with the
     * line of the call site. Same expansion as the runtime's inlineUnwinder.
     *
     * <p>The innermost frame has the file:line of {@code pc}; each caller the file:line at
     * {@code entry + parentPc} of the inlined call. Pass the symbolic pc ({@link #symbolPc}),
     * not a return address. The runtime prints every frame, inlined ones with "(...)" for
     * arguments and no pc; filtering (wrappers, runtime frames below GOTRACEBACK=system) and
     * the "panic" / "[...]" spelling ({@link SourceFrame#printedName()}) are the caller's.
     */
    public List<SourceFrame> frames(FuncInfo fn, long pc) {
        boolean cacheable = fn.contains(pc);
        List<SourceFrame> cached = cacheable ? framesCache.get(pc) : null;
        if (cached != null) {
            return cached;
        }
        List<SourceFrame> out = new ArrayList<>(2);
        long tree = funcdata(fn, FUNCDATA_InlTree);
        int index = tree == 0 ? -1 : pcdata(fn, PCDATA_InlTreeIndex, pc);
        long at = pc;
        for (int depth = 0; index >= 0 && depth < MAX_INLINE_DEPTH; depth++) {
            long call = tree + (long) index * layout.inlSize();
            FileLine fl = fileLine(fn, at);
            String name = r.cString(funcnametab + r.i32(call + layout.inlNameOff()));
            out.add(new SourceFrame(name, fl.file, fl.line, r.u8(call + layout.inlFuncIdOff()), true));
            // Back up to an instruction in the caller whose position is the call site.
            at = fn.entry() + r.i32(call + layout.inlParentPcOff());
            index = pcdata(fn, PCDATA_InlTreeIndex, at);
        }
        FileLine fl = fileLine(fn, at);
        out.add(new SourceFrame(fn.name(), fl.file, fl.line, fn.funcId(), false));
        List<SourceFrame> result = List.copyOf(out);
        if (cacheable) {
            remember(framesCache, pc, result);
        }
        return result;
    }

    /**
     * The pc the runtime uses for lines, pcdata and the inline tree of a frame
     * (runtime/traceback.go, unwinder.symPC): {@code pc - 1}, the CALL instruction, for a frame
     * that called out; {@code pc} itself at the function entry, and when {@code trapped}: the
     * innermost frame of a traceback taken from a signal context, and a frame whose callee is
     * runtime.sigpanic, runtime.asyncPreempt or runtime.debugCallV2 (the pc is the interrupted
     * instruction, not a return address).
     */
    public static long symbolPc(FuncInfo fn, long pc, boolean trapped) {
        return !trapped && Long.compareUnsigned(pc, fn.entry()) > 0 ? pc - 1 : pc;
    }

    /**
     * A function name as the runtime's traceback prints it (runtime/traceback.go,
     * printFuncName): "runtime.gopanic" as "panic", and a generic function's shape arguments,
     * from the first '[' to the last ']', as "[...]".
     */
    public static String printName(String name) {
        if (name.equals("runtime.gopanic")) {
            return "panic";
        }
        int i = name.indexOf('[');
        int j = name.lastIndexOf(']');
        if (i < 0 || j <= i) {
            return name;
        }
        return name.substring(0, i) + "[...]" + name.substring(j + 1);
    }

    // ---- internals ----

    private record FileLine(String file, int line) {}

    private FuncInfo info(int i) {
        FuncInfo fi = infos.get(i);
        if (fi == null) {
            long f = pclntable + funcOffs[i];
            int startLine = layout.startLineOff() < 0 ? 0 : r.i32(f + layout.startLineOff());
            fi = new FuncInfo(text + entryOffs[i], text + entryOffs[i + 1],
                    r.cString(funcnametab + r.i32(f + PclnLayout.NAME_OFF)),
                    r.u8(f + layout.funcIdOff()), r.u8(f + layout.flagOff()), startLine,
                    r.i32(f + PclnLayout.ARGS), r.i32(f + PclnLayout.DEFERRETURN), funcOffs[i]);
            infos.compareAndSet(i, null, fi);
        }
        return fi;
    }

    private long funcAddr(FuncInfo fn) {
        return pclntable + fn.funcOffset();
    }

    // runtime.funcline1 and runtime.funcfile: the file number indexes this CU's slice of cutab,
    // whose entry is an offset into filetab (^0 when the table is corrupt).
    private FileLine fileLine(FuncInfo fn, long pc) {
        long f = funcAddr(fn);
        int fileno = pcvalue(fn, r.u32(f + PclnLayout.PCFILE), pc);
        int line = pcvalue(fn, r.u32(f + PclnLayout.PCLN), pc);
        if (fileno == -1 || line == -1) {
            return new FileLine("?", 0);
        }
        long cu = r.u32(f + PclnLayout.CU_OFFSET);
        long fileoff = r.u32(cutab + 4 * ((cu + Integer.toUnsignedLong(fileno)) & 0xffffffffL));
        String file = fileoff == 0xffffffffL ? "?" : r.cString(filetab + fileoff);
        return new FileLine(file, line);
    }

    /**
     * runtime.pcvalue: the value of the pc-value table at {@code off} in pctab for
     * {@code target}, or -1 when there is no table or it ends before {@code target}. The
     * table is a sequence of (value delta, pc delta) pairs, starting at value -1 and pc =
     * entry: a zig-zag uvarint value delta, then a uvarint pc delta in units of minLC; a zero
     * value-delta byte ends the table, except as the very first byte (a first value of -1).
     */
    private int pcvalue(FuncInfo fn, long off, long target) {
        if (off == 0) {
            return -1;
        }
        PclnReader.Cursor c = r.cursor(pctab + off);
        long pc = fn.entry();
        int val = -1;
        for (int step = 0; step < MAX_PCVALUE_STEPS; step++) {
            int b = c.next();
            if (b == 0 && pc != fn.entry()) {
                return -1;
            }
            int u = (int) c.uvarint(b);
            val += -(u & 1) ^ (u >>> 1);
            long pcdelta = c.uvarint(c.next());
            pc += (pcdelta * minLC) & 0xffffffffL;
            if (Long.compareUnsigned(target, pc) < 0) {
                return val;
            }
        }
        return -1;
    }

    private static <V> void remember(Map<Long, V> cache, long pc, V value) {
        if (cache.size() >= PC_CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(pc, value);
    }
}
