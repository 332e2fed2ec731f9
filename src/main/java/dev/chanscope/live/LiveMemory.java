package dev.chanscope.live;

import com.sun.jna.LastErrorException;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Memory of a live, stopped process. Pages are read with {@code process_vm_readv} (one system
 * call for a whole page or a whole bulk range, no ptrace round trip per word) and kept: the
 * process does not run while chanscope is attached, so a page read once stays true until
 * detach. What {@code process_vm_readv} cannot read, or everything when it is unavailable
 * (a seccomp profile that forbids it, a kernel without it), goes through gdb.
 *
 * <p>Only readable mappings are read. Go reserves large {@code PROT_NONE} ranges for its heap;
 * reading those through ptrace would succeed (the kernel forces the access and maps the zero
 * page into the target's page tables), so they are refused here instead: an address there
 * holds nothing the runtime wrote.
 *
 * <p>Nothing here writes to the target. After {@link #close()} (detach) every read fails: the
 * process may be running again and its memory no longer matches what was read.
 */
public final class LiveMemory implements Memory {
    static final int PAGE = 4096;
    private static final int BUFFER = 1 << 20;
    /** Pages kept (64 MiB): a goroutine walk touches far fewer; the bound is for huge heaps. */
    private static final int CACHE_PAGES = 16_384;
    private static final byte[] UNREADABLE = new byte[0];

    private final int pid;
    private final LiveMapping[] maps;
    private final BiFunction<Long, Integer, Optional<byte[]>> gdbRead;
    private final Map<Long, byte[]> pages = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > CACHE_PAGES;
        }
    };
    private LiveLibc libc;
    private com.sun.jna.Memory buffer;
    private com.sun.jna.Memory iovecs;
    private String directUnavailable;
    private boolean closed;
    /** After detach: the pages read while attached, plus the executable's own file for its text and rodata. */
    private ElfFile frozenExe;
    private String frozenExePath;
    private long frozenMisses;

    /**
     * @param libc    libc through JNA, or empty to read everything through gdb
     * @param why     why {@code libc} is empty, for the report
     * @param gdbRead the fallback: reads exactly {@code n} bytes at an address, or empty
     */
    LiveMemory(int pid, List<LiveMapping> maps, Optional<LiveLibc> libc, String why,
               BiFunction<Long, Integer, Optional<byte[]>> gdbRead) {
        this.pid = pid;
        // Unsigned: [vsyscall] at 0xffffffffff600000 is the highest mapping, not the lowest.
        this.maps = maps.stream().sorted((x, y) -> Long.compareUnsigned(x.start(), y.start())).toArray(LiveMapping[]::new);
        this.gdbRead = gdbRead;
        this.libc = libc.orElse(null);
        this.directUnavailable = libc.isPresent() ? null : why;
        if (this.libc != null) {
            buffer = new com.sun.jna.Memory(BUFFER);
            iovecs = new com.sun.jna.Memory(32);
        }
    }

    @Override
    public synchronized byte[] read(long address, int length) {
        if (closed) {
            throw new IllegalStateException("process " + pid + " was detached; its memory can no longer be read");
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        byte[] out = new byte[length];
        int done = 0;
        if (length > 2 * PAGE && libc != null) {
            // Bulk: straight into the result, as far as the process lets us; the rest page by page.
            done = direct(address, out, 0, length);
        }
        while (done < length) {
            long a = address + done;
            long pageAddr = a & -PAGE;
            byte[] page = page(pageAddr);
            if (page == UNREADABLE) {
                throw new MemoryAccessException(address, length);
            }
            int off = (int) (a - pageAddr);
            int n = Math.min(PAGE - off, length - done);
            System.arraycopy(page, off, out, done, n);
            done += n;
        }
        return out;
    }

    /** How memory is read: "process_vm_readv", or "gdb (reason)" when the direct path is off. */
    public synchronized String path() {
        return directUnavailable == null ? "process_vm_readv" : "gdb (" + directUnavailable + ")";
    }

    /** The mappings this memory was built on (sorted by address). */
    public List<LiveMapping> mappings() {
        return List.of(maps);
    }

    /** From now on every read fails; the cache is dropped. */
    synchronized void close() {
        closed = true;
        frozenExe = null;
        pages.clear();
    }

    /**
     * The process runs again: from now on reads are served from the pages read while it was
     * stopped, and from the executable's file for its read-only mappings (which cannot have
     * changed); anything else fails. Nothing is read from the process any more, so nothing read
     * after this point can disagree with the snapshot.
     *
     * @param exe     the process's own executable (the file /proc/PID/exe opens)
     * @param exePath the executable's path as /proc/PID/maps names it
     */
    synchronized void freeze(ElfFile exe, String exePath) {
        libc = null;
        frozenExe = exe;
        frozenExePath = exePath;
    }

    /** Reads after {@link #freeze} that the frozen pages could not serve. */
    public synchronized long frozenMisses() {
        return frozenMisses;
    }

    private byte[] page(long pageAddr) {
        byte[] p = pages.get(pageAddr);
        if (p != null) {
            return p;
        }
        p = loadPage(pageAddr);
        pages.put(pageAddr, p);
        return p;
    }

    private byte[] loadPage(long pageAddr) {
        LiveMapping m = mappingAt(pageAddr);
        if (m == null || !m.readable()) {
            return UNREADABLE;
        }
        if (frozenExe != null) {
            if (m.fileBacked() && !m.writable() && m.path().equals(frozenExePath)) {
                // A read-only private mapping holds the file's bytes at the mapping's offset.
                long at = m.offset() + (pageAddr - m.start());
                long n = Math.min(PAGE, frozenExe.fileSize() - at);
                if (n > 0) {
                    byte[] p = new byte[PAGE];
                    System.arraycopy(frozenExe.readAt(at, (int) n), 0, p, 0, (int) n);
                    return p;
                }
            }
            frozenMisses++;
            return UNREADABLE;
        }
        if (libc != null) {
            byte[] p = new byte[PAGE];
            if (direct(pageAddr, p, 0, PAGE) == PAGE) {
                return p;
            }
        }
        return gdbRead.apply(pageAddr, PAGE).filter(b -> b.length == PAGE).orElse(UNREADABLE);
    }

    /**
     * Reads as much of [address, address + length) as {@code process_vm_readv} gives, into
     * {@code out}; returns the byte count (short at the first page it cannot read). Turns the
     * direct path off for good on errors that mean "never" (EPERM, ENOSYS).
     */
    private int direct(long address, byte[] out, int off, int length) {
        int done = 0;
        while (done < length && libc != null) {
            int n = Math.min(BUFFER, length - done);
            iovecs.setPointer(0, buffer);
            iovecs.setLong(8, n);
            iovecs.setLong(16, address + done);
            iovecs.setLong(24, n);
            long got;
            try {
                got = libc.process_vm_readv(pid, iovecs, 1, iovecs.share(16), 1, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LiveLibc.EPERM || e.getErrorCode() == LiveLibc.ENOSYS) {
                    disableDirect("process_vm_readv: " + (e.getErrorCode() == LiveLibc.EPERM
                            ? "permission denied (EPERM)" : "not available (ENOSYS)"));
                }
                return done; // EFAULT: the first page is not readable; ESRCH: the process is gone
            }
            if (got <= 0) {
                return done;
            }
            buffer.read(0, out, off + done, (int) got);
            done += (int) got;
            if (got < n) {
                return done;
            }
        }
        return done;
    }

    private void disableDirect(String why) {
        libc = null;
        directUnavailable = why;
    }

    private LiveMapping mappingAt(long a) {
        int lo = 0;
        int hi = maps.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            LiveMapping m = maps[mid];
            if (Long.compareUnsigned(a, m.start()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(a, m.end()) >= 0) {
                lo = mid + 1;
            } else {
                return m;
            }
        }
        return null;
    }

    /**
     * For a core dump: fills {@code out} from {@code address} without keeping pages, leaving
     * zeros where nothing can be read. Returns the number of bytes that were read.
     */
    synchronized long dumpRead(long address, byte[] out, int length) {
        if (closed) {
            throw new IllegalStateException("process " + pid + " was detached; its memory can no longer be read");
        }
        java.util.Arrays.fill(out, 0, length, (byte) 0);
        long read = 0;
        int done = 0;
        while (done < length) {
            int got = libc != null ? direct(address + done, out, done, length - done) : 0;
            done += got;
            read += got;
            if (done >= length) {
                break;
            }
            // What the direct path could not read (or all of it, without one): through gdb,
            // a page at a time so one bad page costs only itself.
            long a = address + done;
            int n = (int) Math.min(PAGE - (a & (PAGE - 1)), length - done);
            LiveMapping m = mappingAt(a);
            if (m != null && m.readable()) {
                        Optional<byte[]> b = gdbRead.apply(a, n);
                if (b.isPresent() && b.get().length == n) {
                    System.arraycopy(b.get(), 0, out, done, n);
                    read += n;
                }
            }
            done += n;
        }
        return read;
    }
}
