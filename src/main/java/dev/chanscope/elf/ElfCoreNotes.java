package dev.chanscope.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes the Linux core notes chanscope uses. Layouts are the kernel's 64-bit ones
 * (include/uapi/linux/elfcore.h, include/linux/elfcore.h, arch/x86/include/asm/user_64.h,
 * arch/arm64/include/uapi/asm/ptrace.h); they are the same on amd64 and arm64 up to the
 * register set, because every field before pr_reg is an int, a short or a long.
 */
final class ElfCoreNotes {
    /*
     * struct elf_prstatus (64-bit): pr_info {si_signo, si_code, si_errno} at 0, pr_cursig at 12,
     * pr_sigpend 16, pr_sighold 24, pr_pid 32, pr_ppid 36, pr_pgrp 40, pr_sid 44, four timevals
     * of 16 bytes from 48, pr_reg at 112, pr_fpvalid after it. Checked against a real core with
     * gdb's "info registers" (ElfFileCoreTest).
     */
    private static final int PRSTATUS_SIGNO = 0;
    private static final int PRSTATUS_PID = 32;
    private static final int PRSTATUS_REG = 112;

    /** amd64 struct user_regs_struct, in order. */
    private static final List<String> AMD64_REGS = List.of(
            "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
            "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss",
            "fs_base", "gs_base", "ds", "es", "fs", "gs");

    /** arm64 struct user_pt_regs: x0..x30, sp, pc, pstate. */
    private static final List<String> ARM64_REGS = arm64Regs();

    /*
     * struct elf_prpsinfo (64-bit): pr_state, pr_sname, pr_zomb, pr_nice (chars 0-3), pr_flag
     * (unsigned long at 8), pr_uid, pr_gid (u32 at 16, 20), pr_pid 24, pr_ppid 28, pr_pgrp 32,
     * pr_sid 36, pr_fname[16] at 40, pr_psargs[80] at 56; 136 bytes in all.
     */
    private static final int PRPSINFO_FNAME = 40;
    private static final int PRPSINFO_FNAME_LEN = 16;
    private static final int PRPSINFO_PSARGS = 56;
    private static final int PRPSINFO_PSARGS_LEN = 80;

    private ElfCoreNotes() {}

    static ElfFile.PrStatus prstatus(byte[] desc, int machine) {
        ByteBuffer b = le(desc);
        // a damaged note can be shorter than the fields (found by ElfFuzzTest): absent reads as 0
        int signal = desc.length >= PRSTATUS_SIGNO + 4 ? b.getInt(PRSTATUS_SIGNO) : 0;
        int lwp = desc.length >= PRSTATUS_PID + 4 ? b.getInt(PRSTATUS_PID) : 0;
        List<String> names = switch (machine) {
            case ElfFile.EM_X86_64 -> AMD64_REGS;
            case ElfFile.EM_AARCH64 -> ARM64_REGS;
            default -> List.of();
        };
        Map<String, Long> regs = new LinkedHashMap<>();
        for (int i = 0; i < names.size() && PRSTATUS_REG + 8 * (i + 1) <= desc.length; i++) {
            regs.put(names.get(i), b.getLong(PRSTATUS_REG + 8 * i));
        }
        return new ElfFile.PrStatus(lwp, signal, Collections.unmodifiableMap(regs));
    }

    /** pr_fname, the executable's base name as the kernel keeps it (15 characters at most). */
    static String fname(byte[] desc) {
        return cString(desc, PRPSINFO_FNAME, PRPSINFO_FNAME_LEN);
    }

    /**
     * pr_psargs: the command line with arguments joined by spaces, cut at 79 characters
     * (the kernel copies the first 80 bytes of the argument area and turns NULs into spaces).
     */
    static String psargs(byte[] desc) {
        return cString(desc, PRPSINFO_PSARGS, PRPSINFO_PSARGS_LEN).stripTrailing();
    }

    /**
     * NT_FILE: count and page size (u64 each), count triples {start, end, file offset in
     * pages}, then count NUL-terminated paths (fs/binfmt_elf.c, fill_files_note).
     */
    static List<ElfFile.MappedFile> mappedFiles(byte[] desc) {
        ByteBuffer b = le(desc);
        if (desc.length < 16) {
            return List.of();
        }
        long count = b.getLong(0);
        long pageSize = b.getLong(8);
        if (count < 0 || count > (desc.length - 16) / 24) {
            return List.of();
        }
        int n = (int) count;
        List<ElfFile.MappedFile> files = new ArrayList<>(n);
        int names = 16 + 24 * n;
        for (int i = 0; i < n; i++) {
            int e = 16 + 24 * i;
            int nul = names;
            while (nul < desc.length && desc[nul] != 0) {
                nul++;
            }
            String path = new String(desc, names, nul - names, StandardCharsets.UTF_8);
            names = Math.min(nul + 1, desc.length);
            files.add(new ElfFile.MappedFile(b.getLong(e), b.getLong(e + 8), b.getLong(e + 16) * pageSize, path));
        }
        return List.copyOf(files);
    }

    static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static String cString(byte[] desc, int offset, int max) {
        int end = Math.min(desc.length, offset + max);
        int n = offset;
        while (n < end && desc[n] != 0) {
            n++;
        }
        return offset >= end ? "" : new String(desc, offset, n - offset, StandardCharsets.UTF_8);
    }

    private static ByteBuffer le(byte[] desc) {
        return ByteBuffer.wrap(desc).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static List<String> arm64Regs() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i <= 30; i++) {
            names.add("x" + i);
        }
        names.addAll(List.of("sp", "pc", "pstate"));
        return List.copyOf(names);
    }
}
