package dev.chanscope.goruntime;

import java.util.List;

/**
 * A machine frame: the function, its PC and SP, the frame pointer the runtime calls fp
 * (the caller's SP: return address slot at fp-8, arguments from fp on amd64), and the logical
 * frames it expands to (inlined calls first).
 */
public record PhysicalFrame(Pclntab.FuncInfo func, long pc, long sp, long fp, List<Frame> logical) {
    public String function() {
        return func.name();
    }

    /** The address where the function's first argument (or its spill slot) lives. */
    public long argp() {
        return fp;
    }
}
