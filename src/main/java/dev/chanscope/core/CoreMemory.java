package dev.chanscope.core;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Memory of a core file read directly from its PT_LOAD segments, then from the executable's
 * segments for what the kernel did not dump (read-only text and data of the binary), then
 * through a slow fallback (gdb). Direct reads are what make 100,000 goroutines affordable:
 * gdb/MI manages about 8,000 small reads a second, a mapped file millions.
 */
public final class CoreMemory implements Memory {
    private record Range(long start, long end, long fileOffset, ElfFile file) {}

    private final Range[] ranges;
    private final ElfFile executable;
    private final long bias;
    private final BiFunction<Long, Integer, Optional<byte[]>> fallback;

    /**
     * @param fallback slow path for ranges in neither file, or {@code (a, n) -> Optional.empty()}
     */
    public CoreMemory(ElfFile core, ElfFile executable, BiFunction<Long, Integer, Optional<byte[]>> fallback) {
        this(core, executable, 0, fallback);
    }

    /**
     * @param bias     the executable's load bias ({@link LoadBias}): its file is read at
     *                 {@code address - bias}, as a PIE's file says where it would be loaded at 0
     * @param fallback slow path for ranges in neither file, or {@code (a, n) -> Optional.empty()}
     */
    public CoreMemory(ElfFile core, ElfFile executable, long bias, BiFunction<Long, Integer, Optional<byte[]>> fallback) {
        this.executable = executable;
        this.bias = bias;
        this.fallback = fallback;
        List<Range> list = new ArrayList<>();
        long coreSize = core.fileSize();
        for (ElfFile.Segment s : core.segments()) {
            if (s.type() != ElfFile.PT_LOAD || s.filesz() == 0) {
                continue;
            }
            // A core cut short keeps only the part of each segment that is still in the file.
            long avail = Math.min(s.filesz(), Math.max(0, coreSize - s.offset()));
            if (avail > 0) {
                list.add(new Range(s.vaddr(), s.vaddr() + avail, s.offset(), core));
            }
        }
        list.sort(Comparator.comparingLong(Range::start));
        this.ranges = list.toArray(new Range[0]);
    }

    @Override
    public byte[] read(long address, int length) {
        if (length < 0) { // a length computed from damaged data
            throw new MemoryAccessException(address, length);
        }
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long a = address + done;
            int n = readSome(a, out, done, length - done);
            if (n <= 0) {
                throw new MemoryAccessException(address, length);
            }
            done += n;
        }
        return out;
    }

    /** True when the address is in memory the core itself saved (not the executable's file). */
    public boolean inCore(long address) {
        return find(address) != null;
    }

    private int readSome(long a, byte[] out, int off, int want) {
        Range r = find(a);
        if (r != null) {
            int n = (int) Math.min(want, r.end - a);
            byte[] b = r.file.readAt(r.fileOffset + (a - r.start), n);
            System.arraycopy(b, 0, out, off, n);
            return n;
        }
        // Not dumped: the executable's own segments (text, rodata, pclntab).
        int n = Math.min(want, untilNextCoreRange(a));
        Optional<byte[]> b = executable.readVirtual(a - bias, n);
        if (b.isEmpty()) {
            b = fallback.apply(a, n);
        }
        if (b.isEmpty()) {
            return -1;
        }
        System.arraycopy(b.get(), 0, out, off, n);
        return n;
    }

    private int untilNextCoreRange(long a) {
        int lo = 0;
        int hi = ranges.length - 1;
        long next = Long.MAX_VALUE;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[mid].start > a) {
                next = ranges[mid].start;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, next - a);
    }

    private Range find(long a) {
        int lo = 0;
        int hi = ranges.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Range r = ranges[mid];
            if (a < r.start) {
                hi = mid - 1;
            } else if (a >= r.end) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }
}
