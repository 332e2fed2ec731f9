package dev.chanscope.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.util.ArrayList;
import java.util.List;

/**
 * A real target's memory with the fuzzer's bytes written over chosen ranges: the fuzz input is
 * a list of patches (which range, where in it, which bytes), so the readers meet damaged
 * structures inside an otherwise genuine runtime, which random bytes alone almost never reach.
 */
final class PatchedMemory implements Memory {
    /** A range worth damaging: a g, the allgs array, the pclntab header, ... */
    record Range(String what, long address, int length) {}

    private record Patch(long address, byte[] bytes) {}

    private final Memory inner;
    private final List<Patch> patches = new ArrayList<>();

    PatchedMemory(Memory inner) {
        this.inner = inner;
    }

    /** Replaces the patches with those the input describes, up to 16, each in one of {@code ranges}. */
    void patch(FuzzedDataProvider data, List<Range> ranges) {
        patches.clear();
        for (int i = 0; i < 16 && data.remainingBytes() > 2; i++) {
            Range r = ranges.get(data.consumeInt(0, ranges.size() - 1));
            int at = data.consumeInt(0, Math.max(0, r.length() - 1));
            byte[] b = data.consumeBytes(data.consumeInt(1, 8));
            patches.add(new Patch(r.address() + at, b));
        }
    }

    /** Replaces the patches with one: {@code bytes} written at {@code address} (for tests of one damage). */
    void patch(long address, byte[] bytes) {
        patches.clear();
        patches.add(new Patch(address, bytes.clone()));
    }

    /** Adds a patch to those in place. */
    void add(long address, byte[] bytes) {
        patches.add(new Patch(address, bytes.clone()));
    }

    @Override
    public byte[] read(long address, int length) {
        if (length < 0) {
            throw new MemoryAccessException(address, length);
        }
        byte[] out = inner.read(address, length);
        for (Patch p : patches) {
            for (int i = 0; i < p.bytes().length; i++) {
                long a = p.address() + i;
                if (Long.compareUnsigned(a - address, length) < 0) {
                    out[(int) (a - address)] = p.bytes()[i];
                }
            }
        }
        return out;
    }

    @Override
    public boolean isReadable(long address, int length) {
        return inner.isReadable(address, length);
    }
}
