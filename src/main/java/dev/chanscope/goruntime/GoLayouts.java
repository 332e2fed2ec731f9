package dev.chanscope.goruntime;

import dev.chanscope.proc.TypeCatalog;

/**
 * Every runtime offset chanscope uses, read once from DWARF. Field names that changed between
 * releases are looked up under each name (newest first); nothing is hard-coded, because
 * hchan, sudog, _panic and g all moved between 1.22 and 1.26.
 */
public record GoLayouts(
        G g, M m, Hchan hchan, Sudog sudog, Panic panic, Type type, Moduledata moduledata, Scase scase) {

    public record G(long size, long stackLo, long stackHi, long schedSp, long schedPc, long schedBp,
                    long syscallSp, long syscallPc, long status, long goid, long waitSince, long waitReason,
                    long m, long panic, long param, long gopc, long startPc, long parentGoid, long waiting,
                    long lockedM) {}

    public record M(long size, long g0, long procId, long gsignal, long curg, long id, long allLink) {}

    public record Hchan(long size, long qcount, long dataqsiz, long buf, long elemSize, int elemSizeWidth,
                        long closed, long elemType, long sendx, long recvx, long recvqFirst, long sendqFirst) {}

    public record Sudog(long size, long g, long next, long elem, long c, long isSelect, long success) {}

    /** {@code recovered}/{@code repanicked}/{@code goexit} are -1 when absent. */
    public record Panic(long size, long arg, long link, long recovered, long repanicked, long goexit) {}

    /** The runtime type descriptor ({@code internal/abi.Type}, {@code runtime._type} before 1.21). */
    public record Type(long size, long sizeField, long tflag, long kind, long str) {}

    /** A select case; absent (size 0) in a program that never uses select. */
    public record Scase(long size, long c) {}

    public record Moduledata(long pcHeader, long text, long gofunc, long types, long etypes, long next) {}

    public static GoLayouts load(TypeCatalog catalog) {
        LayoutResolver r = new LayoutResolver(catalog);
        String g = "runtime.g";
        G gl = new G(r.struct(g).size(),
                r.offset(g, "stack.lo"), r.offset(g, "stack.hi"),
                r.offset(g, "sched.sp"), r.offset(g, "sched.pc"), r.optionalSlot(g, "sched.bp").map(LayoutResolver.Slot::offset).orElse(-1L),
                r.offset(g, "syscallsp"), r.offset(g, "syscallpc"),
                r.offset(g, "atomicstatus"), r.offset(g, "goid"), r.offset(g, "waitsince"), r.offset(g, "waitreason"),
                r.offset(g, "m"), r.offset(g, "_panic"), r.offset(g, "param"), r.offset(g, "gopc"), r.offset(g, "startpc"),
                r.optionalSlot(g, "parentGoid").map(LayoutResolver.Slot::offset).orElse(-1L),
                r.offset(g, "waiting"), r.offset(g, "lockedm"));
        String m = "runtime.m";
        M ml = new M(r.struct(m).size(), r.offset(m, "g0"), r.offset(m, "procid"), r.offset(m, "gsignal"),
                r.offset(m, "curg"), r.offset(m, "id"), r.offset(m, "alllink"));
        String c = "runtime.hchan";
        LayoutResolver.Slot elemSize = r.slot(c, "elemsize");
        Hchan hl = new Hchan(r.struct(c).size(), r.offset(c, "qcount"), r.offset(c, "dataqsiz"), r.offset(c, "buf"),
                elemSize.offset(), (int) elemSize.size(), r.offset(c, "closed"), r.offset(c, "elemtype"),
                r.offset(c, "sendx"), r.offset(c, "recvx"), r.offset(c, "recvq.first"), r.offset(c, "sendq.first"));
        String s = "runtime.sudog";
        Sudog sl = new Sudog(r.struct(s).size(), r.offset(s, "g"), r.offset(s, "next"), r.pointer(s, "elem").offset(),
                r.pointer(s, "c").offset(), r.offset(s, "isSelect"), r.offset(s, "success"));
        String p = "runtime._panic";
        Panic pl = new Panic(r.struct(p).size(), r.offset(p, "arg"), r.offset(p, "link"),
                r.optionalSlot(p, "recovered").map(LayoutResolver.Slot::offset).orElse(-1L),
                r.optionalSlot(p, "repanicked").map(LayoutResolver.Slot::offset).orElse(-1L),
                r.optionalSlot(p, "goexit").map(LayoutResolver.Slot::offset).orElse(-1L));
        String t = r.structIfPresent("internal/abi.Type").isPresent() ? "internal/abi.Type" : "runtime._type";
        Type tl = new Type(r.struct(t).size(), r.offset(t, "Size_", "size"), r.offset(t, "TFlag", "tflag"),
                r.offset(t, "Kind_", "kind"), r.offset(t, "Str", "str"));
        String md = "runtime.moduledata";
        Moduledata mdl = new Moduledata(r.offset(md, "pcHeader"), r.offset(md, "text"), r.offset(md, "gofunc"),
                r.offset(md, "types"), r.offset(md, "etypes"), r.offset(md, "next"));
        Scase sc = r.structIfPresent("runtime.scase").isPresent()
                ? new Scase(r.struct("runtime.scase").size(), r.offset("runtime.scase", "c"))
                : new Scase(0, 0);
        return new GoLayouts(gl, ml, hl, sl, pl, tl, mdl, sc);
    }
}
