package dev.chanscope.goruntime;

import dev.chanscope.target.Memory;
import java.util.List;
import java.util.Optional;

/**
 * The Go runtime's own PC tables (pclntab), read from target memory: PC to function, file:line,
 * stack-pointer delta and inline tree. This is what the runtime's traceback uses, so frames
 * we build from it match the runtime's {@code GOTRACEBACK=crash} output exactly (inlined
 * frames included), and it survives {@code -ldflags=-s -w} where DWARF does not.
 * Supports the 1.18 (magic 0xfffffff0) and 1.20+ (0xfffffff1) layouts.
 *
 * STUB: signatures are fixed; implementation to be filled in.
 */
public final class Pclntab {

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
    public record SourceFrame(String function, String file, int line, int funcId, boolean inlined) {}

    /**
     * @param memory       target memory (reads the pclntab where the runtime has it)
     * @param pcHeaderAddr address of the runtime.pcHeader (moduledata.pcHeader)
     * @param goFuncAddr   moduledata.gofunc (base for funcdata offsets; the inline tree needs it)
     * @param textStart    moduledata.text (overrides pcHeader.textStart, which is not relocated for PIE)
     * @throws IllegalArgumentException when the header magic is not a supported version
     */
    public Pclntab(Memory memory, long pcHeaderAddr, long goFuncAddr, long textStart) {
        throw new UnsupportedOperationException("stub");
    }

    /** pclntab version as the Go release that introduced it: "1.18" or "1.20". */
    public String version() { throw new UnsupportedOperationException("stub"); }

    public int functionCount() { throw new UnsupportedOperationException("stub"); }

    /** The function containing {@code pc} (binary search of the func table, cached). */
    public Optional<FuncInfo> funcAt(long pc) { throw new UnsupportedOperationException("stub"); }

    /** The first function with this exact name (e.g. "runtime.chansend"). */
    public Optional<FuncInfo> funcByName(String name) { throw new UnsupportedOperationException("stub"); }

    /** Every function, in address order. */
    public List<FuncInfo> functions() { throw new UnsupportedOperationException("stub"); }

    /** Innermost file and line of {@code pc} in {@code fn} (pcfile/pcln tables). */
    public SourceFrame line(FuncInfo fn, long pc) { throw new UnsupportedOperationException("stub"); }

    /**
     * Frame size at {@code pc}: bytes between the SP at {@code pc} and the return address slot
     * (the pcsp table). The caller's frame starts at sp + spDelta + 8 on amd64.
     */
    public int spDelta(FuncInfo fn, long pc) { throw new UnsupportedOperationException("stub"); }

    /** Value of pcdata table {@code table} at {@code pc}, or -1 when the function has none. */
    public int pcdata(FuncInfo fn, int table, long pc) { throw new UnsupportedOperationException("stub"); }

    /** Absolute address of funcdata {@code index}, or 0 when absent. */
    public long funcdata(FuncInfo fn, int index) { throw new UnsupportedOperationException("stub"); }

    /**
     * The logical frames at {@code pc}, innermost first: the inlined calls (from the inline tree,
     * PCDATA_InlTreeIndex / FUNCDATA_InlTree) followed by the physical function itself with the
     * line of the call site. Same expansion as the runtime's inlineUnwinder.
     */
    public List<SourceFrame> frames(FuncInfo fn, long pc) { throw new UnsupportedOperationException("stub"); }
}
