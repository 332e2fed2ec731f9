package dev.chanscope.live;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.proc.ThreadContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes an ELF core of the attached process, the way the kernel would (fs/binfmt_elf.c with
 * the default coredump_filter): anonymous and written private memory whole, read-only file
 * mappings as their first page (ELF header and build-id notes) only, the threads' registers as
 * NT_PRSTATUS, NT_PRPSINFO, NT_AUXV and NT_FILE. Pages that are all zeros are left as holes,
 * so the file is sparse.
 *
 * <p>Why not gdb's {@code gcore}: gdb 13 dumps every anonymous private mapping whatever its
 * protection, including the hundreds of megabytes of {@code PROT_NONE} address space a Go
 * runtime reserves for its heap, reading each page through ptrace (which maps the zero page
 * into the target) and writing it out: 1.2 GB and 2 s of pause for a 2 MB Go program
 * (docs/attach.md). A core of only the readable memory is what the kernel writes, and what
 * chanscope analyze needs.
 */
public final class LiveCoreWriter {
    private static final int PAGE = LiveMemory.PAGE;
    private static final int EHDR = 64, PHDR = 56;
    private static final int PT_LOAD = 1, PT_NOTE = 4;
    private static final int PF_X = 1, PF_W = 2, PF_R = 4;
    private static final int PRSTATUS_SIZE = 336, PRPSINFO_SIZE = 136;
    private static final int CHUNK = 1 << 20;

    /** amd64 struct user_regs_struct, in order (arch/x86/include/asm/user_64.h). */
    private static final List<String> AMD64_REGS = List.of(
            "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
            "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss",
            "fs_base", "gs_base", "ds", "es", "fs", "gs");

    /**
     * @param bytes     the file's length (its size on disk is smaller: zero pages are holes)
     * @param dataBytes bytes of memory copied from the process
     * @param segments  PT_LOAD segments written
     * @param nanos     time spent writing (the process stays stopped meanwhile)
     */
    public record Result(Path file, long bytes, long dataBytes, int segments, long nanos) {}

    /** One PT_LOAD: the mapping, and how much of it goes into the file. */
    private record Load(LiveMapping mapping, long fileSize, long offset) {}

    private final LiveProcess process;
    private final LiveMemory memory;
    private final List<ThreadContext> threads;
    private final ElfFile exe;

    LiveCoreWriter(LiveProcess process, LiveMemory memory, List<ThreadContext> threads, ElfFile exe) {
        this.process = process;
        this.memory = memory;
        this.threads = threads;
        this.exe = exe;
    }

    /** Writes the core into {@code ch}, a new empty file (named {@code file} in messages). */
    Result write(FileChannel ch, Path file) {
        long t0 = System.nanoTime();
        // Like the kernel, a PT_LOAD for every mapping, with no bytes in the file for those it does
        // not dump (the executable's text, PROT_NONE reservations): the NT_FILE note names every
        // file mapping, and a reader checks each against a PT_LOAD.
        List<LiveMapping> dumped = memory.mappings().stream().filter(LiveCoreWriter::described).toList();
        byte[] notes = notes();
        long offset = align(EHDR + (long) PHDR * (dumped.size() + 1) + notes.length, PAGE);
        List<Load> loads = new ArrayList<>();
        for (LiveMapping m : dumped) {
            long size = dumpable(m) ? dumpSize(m) : 0;
            loads.add(new Load(m, size, offset));
            offset += size;
        }
        long total = offset;
        long data = 0;
        try {
            {
                ByteBuffer head = le(EHDR + PHDR * (loads.size() + 1));
                header(head, loads.size() + 1);
                long notesAt = EHDR + (long) PHDR * (loads.size() + 1);
                phdr(head, PT_NOTE, 0, notesAt, 0, notes.length, 0, 1);
                for (Load l : loads) {
                    LiveMapping m = l.mapping();
                    int flags = (m.readable() ? PF_R : 0) | (m.writable() ? PF_W : 0) | (m.executable() ? PF_X : 0);
                    phdr(head, PT_LOAD, flags, l.offset(), m.start(), l.fileSize(), m.size(), PAGE);
                }
                head.flip();
                writeFully(ch, head, 0);
                writeFully(ch, ByteBuffer.wrap(notes), notesAt);
                byte[] buf = new byte[CHUNK];
                try (LivePagemap pagemap = LivePagemap.open(process.pid())) {
                    for (Load l : loads) {
                        boolean anonymous = !l.mapping().fileBacked();
                        for (long done = 0; done < l.fileSize(); done += CHUNK) {
                            int n = (int) Math.min(CHUNK, l.fileSize() - done);
                            long at = l.mapping().start() + done;
                            data += anonymous ? readPresent(pagemap, at, buf, n) : memory.dumpRead(at, buf, n);
                            writeSparse(ch, buf, n, l.offset() + done);
                        }
                    }
                }
                if (ch.size() < total) {
                    // A core ending in a hole: its last byte written gives the file its length.
                    writeFully(ch, ByteBuffer.allocate(1), total - 1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the snapshot " + file + ": " + e.getMessage(), e);
        }
        return new Result(file, total, data, loads.size(), System.nanoTime() - t0);
    }

    /**
     * Reads the pages of anonymous memory that exist (present or swapped out); the others were
     * never touched and are zero. Reading them would make the kernel map its zero page into the
     * target's page tables (process_vm_readv faults pages in), and cost time while the process
     * is held; the kernel's own dump skips them the same way (FOLL_DUMP).
     */
    private long readPresent(LivePagemap pagemap, long address, byte[] buf, int n) {
        java.util.Arrays.fill(buf, 0, n, (byte) 0);
        boolean[] present = pagemap.present(address, n / PAGE);
        if (present == null) {
            return memory.dumpRead(address, buf, n); // no pagemap: read it all
        }
        long read = 0;
        byte[] run = null;
        for (int i = 0; i < present.length; ) {
            if (!present[i]) {
                i++;
                continue;
            }
            int j = i;
            while (j < present.length && present[j]) {
                j++;
            }
            int len = (j - i) * PAGE;
            if (run == null || run.length < len) {
                run = new byte[Math.max(len, 64 * PAGE)];
            }
            read += memory.dumpRead(address + (long) i * PAGE, run, len);
            System.arraycopy(run, 0, buf, i * PAGE, len);
            i = j;
        }
        return read;
    }

    /**
     * The kernel's choice for the default filter (0x33): private and shared anonymous memory,
     * private file mappings that were written (their pages are anonymous now), the first page of
     * an ELF file mapping, the vDSO. Not: I/O and PFN mappings ([vvar]), the vsyscall page,
     * memory that cannot be read (PROT_NONE reservations), shared file mappings.
     */
    /** Mappings the kernel gives a program header: all but the [vvar] and [vsyscall] pages. */
    static boolean described(LiveMapping m) {
        return !m.path().startsWith("[vvar") && !m.path().equals("[vsyscall]");
    }

    static boolean dumpable(LiveMapping m) {
        if (!m.readable() || m.path().startsWith("[vvar") || m.path().equals("[vsyscall]")) {
            return false;
        }
        if (!m.fileBacked()) {
            return true;
        }
        if (!m.privateMapping()) {
            return false;
        }
        return m.writable() || m.offset() == 0;
    }

    private static long dumpSize(LiveMapping m) {
        if (m.fileBacked() && !m.writable()) {
            return Math.min(PAGE, m.size()); // headers only: the rest is in the executable
        }
        return m.size();
    }

    private byte[] notes() {
        ByteBuffer b = le(1 << 20);
        long[] pgs = process.parentGroupSession();
        for (ThreadContext t : threads) {
            ByteBuffer d = le(PRSTATUS_SIZE);
            d.putInt(32, t.lwp());
            d.putInt(36, (int) pgs[0]);
            d.putInt(40, (int) pgs[1]);
            d.putInt(44, (int) pgs[2]);
            Map<String, Long> regs = t.registers();
            for (int i = 0; i < AMD64_REGS.size(); i++) {
                d.putLong(112 + 8 * i, regs.getOrDefault(AMD64_REGS.get(i), 0L));
            }
            note(b, ElfFile.NT_PRSTATUS, d.array());
        }
        note(b, ElfFile.NT_PRPSINFO, prpsinfo(pgs));
        process.auxv().ifPresent(a -> note(b, ElfFile.NT_AUXV, a));
        note(b, ElfFile.NT_FILE, fileNote());
        return Arrays.copyOf(b.array(), b.position());
    }

    private byte[] prpsinfo(long[] pgs) {
        ByteBuffer d = le(PRPSINFO_SIZE);
        char state = process.state().process();
        int stateIndex = "RSDTZW".indexOf(state); // pr_state: the index of pr_sname in the kernel's list
        d.put(0, (byte) Math.max(stateIndex, 0));
        d.put(1, (byte) state);
        List<Integer> uids = process.uids();
        List<Integer> gids = process.gids();
        d.putInt(16, uids.isEmpty() ? 0 : uids.get(0));
        d.putInt(20, gids.isEmpty() ? 0 : gids.get(0));
        d.putInt(24, process.pid());
        d.putInt(28, (int) pgs[0]);
        d.putInt(32, (int) pgs[1]);
        d.putInt(36, (int) pgs[2]);
        put(d, 40, 16, process.name());
        put(d, 56, 80, process.commandLine());
        return d.array();
    }

    /** NT_FILE: count, page size, {start, end, offset in pages} per file mapping, then the paths. */
    private byte[] fileNote() {
        List<LiveMapping> files = memory.mappings().stream().filter(LiveMapping::fileBacked).toList();
        ByteBuffer d = le(16 + 24 * files.size() + files.stream().mapToInt(f -> f.path().getBytes(StandardCharsets.UTF_8).length + 1).sum());
        d.putLong(files.size());
        d.putLong(PAGE);
        for (LiveMapping f : files) {
            d.putLong(f.start());
            d.putLong(f.end());
            d.putLong(f.offset() / PAGE);
        }
        for (LiveMapping f : files) {
            d.put(f.path().getBytes(StandardCharsets.UTF_8));
            d.put((byte) 0);
        }
        return d.array();
    }

    private static void note(ByteBuffer b, int type, byte[] desc) {
        byte[] name = "CORE\0".getBytes(StandardCharsets.US_ASCII);
        b.putInt(name.length);
        b.putInt(desc.length);
        b.putInt(type);
        b.put(name);
        pad(b);
        b.put(desc);
        pad(b);
    }

    private static void pad(ByteBuffer b) {
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    private static void put(ByteBuffer d, int at, int max, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, max - 1);
        for (int i = 0; i < n; i++) {
            d.put(at + i, bytes[i]);
        }
    }

    private void header(ByteBuffer h, int phnum) {
        h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        h.put(new byte[8]);
        h.putShort((short) ElfFile.ET_CORE);
        h.putShort((short) exe.machine());
        h.putInt(1);
        h.putLong(0); // entry
        h.putLong(EHDR); // phoff
        h.putLong(0); // shoff
        h.putInt(0); // flags
        h.putShort((short) EHDR);
        h.putShort((short) PHDR);
        h.putShort((short) phnum);
        h.putShort((short) 0); // shentsize
        h.putShort((short) 0); // shnum
        h.putShort((short) 0); // shstrndx
    }

    private static void phdr(ByteBuffer h, int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {
        h.putInt(type);
        h.putInt(flags);
        h.putLong(offset);
        h.putLong(vaddr);
        h.putLong(0); // paddr
        h.putLong(filesz);
        h.putLong(memsz);
        h.putLong(align);
    }

    /** Writes the non-zero pages only; the zero ones stay holes. */
    private static void writeSparse(FileChannel ch, byte[] buf, int n, long at) throws IOException {
        for (int off = 0; off < n; off += PAGE) {
            int len = Math.min(PAGE, n - off);
            if (!allZero(buf, off, len)) {
                writeFully(ch, ByteBuffer.wrap(buf, off, len), at + off);
            }
        }
    }

    private static boolean allZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
