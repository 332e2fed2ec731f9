package dev.chanscope.goruntime;

import dev.chanscope.arch.CodeDecoder;
import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The runtime's variables in a binary without a symbol table ({@code -ldflags=-s}, {@code strip}):
 * found from what the runtime itself keeps, and every candidate checked against memory before
 * it is used, so that a wrong guess reads as "not found", never as a wrong goroutine list.
 *
 * <ul>
 *   <li>{@code runtime.firstmoduledata}: the word in the data section that points at the
 *       pclntab's header (moduledata.pcHeader), whose other fields then agree with it;
 *   <li>{@code runtime.allgs}: an address that {@code runtime.allgadd} or {@code runtime.forEachG}
 *       (known by name from the pclntab) loads together with the word after it (a slice's
 *       pointer and length), and whose elements are goroutines;
 *   <li>{@code runtime.allm}: an address that {@code runtime.mcommoninit} ({@code mp.alllink =
 *       allm}) and its kin load, whose chain of Ms holds the core's threads.
 * </ul>
 */
public final class StrippedRoots {
    /** Functions that read allgs as a slice (runtime/proc.go, 1.18 to 1.27). */
    static final List<String> ALLGS_READERS = List.of("runtime.allgadd", "runtime.forEachG", "runtime.forEachGRace",
            "runtime.checkdead", "runtime.schedtrace");
    /** Functions that load allm (mcommoninit: mp.alllink = allm; the others walk the list). */
    static final List<String> ALLM_READERS = List.of("runtime.mcommoninit", "runtime.checkdead", "runtime.schedtrace",
            "runtime.allocm", "runtime.stopTheWorldWithSema", "runtime.startTheWorldWithSema");

    private StrippedRoots() {
    }

    /**
     * The moduledata whose pcHeader field ({@code pcHeaderOffset}) holds {@code pcHeader}, searched
     * word by word in [from, to) (the executable's .noptrdata, where the linker writes
     * firstmoduledata), and whose text..etext range is plausible.
     */
    public static OptionalLong moduledata(Memory mem, long pcHeader, long from, long to, GoLayouts.Moduledata md) {
        // Page by page: the range crosses the gaps between segments, which read as nothing.
        final int chunk = 4096;
        for (long a = from & ~7L; Long.compareUnsigned(a, to) < 0; a = (a & ~(chunk - 1L)) + chunk) {
            int n = (int) Math.min(chunk - (a & (chunk - 1)), to - a);
            byte[] b;
            try {
                b = mem.read(a, n);
            } catch (MemoryAccessException e) {
                continue;
            }
            java.nio.ByteBuffer w = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 8 <= n; i += 8) {
                if (w.getLong(i) != pcHeader) {
                    continue;
                }
                long cand = a + i - md.pcHeader();
                try {
                    long types = mem.u64(cand + md.types());
                    long etypes = mem.u64(cand + md.etypes());
                    long text = mem.u64(cand + md.text());
                    if (types != 0 && Long.compareUnsigned(types, etypes) < 0 && text != 0) {
                        return OptionalLong.of(cand);
                    }
                } catch (MemoryAccessException e) {
                    // not this one
                }
            }
        }
        return OptionalLong.empty();
    }

    /** Static addresses the function loads or takes (LoadGlobal, SetAddress), in code order. */
    static Set<Long> staticAddresses(Memory mem, CodeDecoder decoder, Pclntab.FuncInfo fn) {
        Set<Long> out = new LinkedHashSet<>();
        int len = (int) Math.min(fn.end() - fn.entry(), 1 << 16);
        byte[] code;
        try {
            code = mem.read(fn.entry(), len);
        } catch (MemoryAccessException e) {
            return out;
        }
        int off = 0;
        while (off < len) {
            Instruction ins = decoder.decode(code, off, len, fn.entry() + off);
            if (ins == null) {
                off += decoder.minimumLength(); // padding or data between blocks: resynchronise
                continue;
            }
            for (Effect e : ins.effects()) {
                if (e instanceof Effect.LoadGlobal g) {
                    out.add(g.address());
                } else if (e instanceof Effect.SetAddress s) {
                    out.add(s.address());
                }
            }
            off += ins.length();
        }
        return out;
    }

    /** runtime.allgs: [ptr, len, cap] of *g whose first element is a goroutine. */
    static OptionalLong allgs(Memory mem, Pclntab pcln, CodeDecoder decoder, GoLayouts.G g) {
        for (long a : candidates(mem, pcln, decoder, ALLGS_READERS, true)) {
            try {
                long ptr = mem.u64(a);
                long len = mem.u64(a + 8);
                long cap = mem.u64(a + 16);
                if (ptr == 0 || len <= 0 || len > 50_000_000 || Long.compareUnsigned(cap, len) < 0) {
                    continue;
                }
                if (isGoroutine(mem, mem.u64(ptr), g) && isGoroutine(mem, mem.u64(ptr + 8 * (len - 1)), g)) {
                    return OptionalLong.of(a);
                }
            } catch (MemoryAccessException e) {
                // not this one
            }
        }
        return OptionalLong.empty();
    }

    /** runtime.allm: the candidate whose M list holds the most of the core's threads (at least one). */
    static OptionalLong allm(Memory mem, Pclntab pcln, CodeDecoder decoder, GoLayouts.M m, Set<Long> lwps) {
        long best = 0;
        int bestHits = 0;
        for (long a : candidates(mem, pcln, decoder, ALLM_READERS, false)) {
            int hits = 0;
            try {
                long mp = mem.u64(a);
                for (int guard = 0; mp != 0 && guard < 10_000; guard++) {
                    if (lwps.contains(mem.u64(mp + m.procId()))) {
                        hits++;
                    }
                    mp = mem.u64(mp + m.allLink());
                }
            } catch (MemoryAccessException e) {
                continue;
            }
            if (hits > bestHits) {
                best = a;
                bestHits = hits;
            }
        }
        return bestHits > 0 ? OptionalLong.of(best) : OptionalLong.empty();
    }

    private static List<Long> candidates(Memory mem, Pclntab pcln, CodeDecoder decoder, List<String> readers, boolean slice) {
        Set<Long> out = new LinkedHashSet<>();
        for (String name : readers) {
            pcln.funcByName(name).ifPresent(fn -> {
                Set<Long> loads = staticAddresses(mem, decoder, fn);
                for (long a : loads) {
                    if (!slice || loads.contains(a + 8)) {
                        out.add(a);
                    }
                }
            });
        }
        return new ArrayList<>(out);
    }

    /** A g: its stack bounds ordered and small, its goid small. */
    private static boolean isGoroutine(Memory mem, long gp, GoLayouts.G g) {
        if (gp == 0) {
            return false;
        }
        long lo = mem.u64(gp + g.stackLo());
        long hi = mem.u64(gp + g.stackHi());
        long goid = mem.u64(gp + g.goid());
        return goid >= 0 && goid < (1L << 40) && (lo == 0 && hi == 0
                || Long.compareUnsigned(lo, hi) < 0 && hi - lo <= (1L << 30));
    }
}
