package dev.chanscope.binary;

import java.util.regex.Pattern;

/**
 * The runtime functions compiled code calls to allocate an object, and the race detector's hooks
 * that sit between an allocation and its use in -race builds.
 *
 * <p>Go 1.22 to 1.26 (by default) allocate {@code new(T)}, a heap closure or an escaping local
 * with {@code runtime.newobject(typ)}. With size-specialized allocation (the default from Go
 * 1.27, {@code GOEXPERIMENT=sizespecializedmalloc} in 1.26; cmd/compile/internal/ssagen
 * specializedMallocSym) objects of at most 80 bytes are allocated by
 * {@code runtime.mallocgcSmallScanNoHeaderSC<class>(size, typ, needzero)} (with pointers),
 * {@code runtime.mallocgcSmallNoScanSC<class>} or {@code runtime.mallocgcTinySC2} (without), and
 * batched escaping locals by {@code runtime.mallocgc(size, nil, true)}. All return the object in
 * the first result register. Instrumented builds (-race) never use the specialized ones.
 */
public final class Allocators {
    private static final Pattern SPECIALIZED =
            Pattern.compile("runtime\\.mallocgc(SmallScanNoHeaderSC|SmallNoScanSC|TinySC)\\d+");
    private static final Pattern RACE_HOOK = Pattern.compile(
            "runtime\\.race(read|write|readrange|writerange|readpc|writepc|funcenter|funcexit|funcenterpc|acquire|release)");

    private Allocators() {
    }

    /**
     * The argument position of the type descriptor when {@code function} allocates an object:
     * 0 for runtime.newobject, 1 for runtime.mallocgc and the size-specialized allocators; -1
     * when the function is not an allocator.
     */
    public static int typeArgument(String function) {
        if (function.equals("runtime.newobject")) {
            return 0;
        }
        if (function.equals("runtime.mallocgc") || SPECIALIZED.matcher(function).matches()) {
            return 1;
        }
        return -1;
    }

    /** A race-detector hook inserted by -race instrumentation (runtime/race_amd64.s). */
    public static boolean isRaceHook(String function) {
        return RACE_HOOK.matcher(function).matches();
    }
}
