package dev.chanscope.goruntime;

/**
 * Byte offsets of the pclntab structures that differ between pclntab versions. Everything
 * else (pcHeader, functab, pc-value encoding, cutab/filetab) is the same in 1.18 and 1.20+.
 *
 * <p>Sources. Go 1.20+ (magic 0xfffffff1), checked in Go 1.22.12 and 1.26 source:
 * runtime/runtime2.go {@code _func} (entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln,
 * npcdata, cuOffset, startLine int32, funcID u8, flag u8, pad u8, nfuncdata u8; 44 bytes) and
 * runtime/symtabinl.go {@code inlinedCall} (funcID u8, pad [3]byte, nameOff i32, parentPc i32,
 * startLine i32; 16 bytes).
 * Go 1.18 and 1.19 (magic 0xfffffff0), runtime/runtime2.go and runtime/symtab.go of those
 * releases: {@code _func} has no startLine (funcID at 36, flag 37, pad 38, nfuncdata 39;
 * 40 bytes) and {@code inlinedCall} is {parent i16, funcID u8, pad u8, file i32, line i32,
 * func_ i32 (name offset), parentPc i32; 20 bytes}. Its file and line fields are unused by
 * the runtime's traceback, which reads the caller's line at entry + parentPc as 1.20+ does.
 *
 * @param version        "1.18" or "1.20"
 * @param funcSize       size of {@code _func}; the pcdata and funcdata u32 arrays follow it
 * @param startLineOff   offset of startLine in {@code _func}, or -1 when absent
 * @param funcIdOff      offset of funcID in {@code _func}
 * @param nfuncdataOff   offset of nfuncdata in {@code _func} (flag is one byte after funcID)
 * @param inlSize        size of one inline tree entry
 * @param inlFuncIdOff   offset of funcID in an inline tree entry
 * @param inlNameOff     offset of the name offset (into funcnametab) in an inline tree entry
 * @param inlParentPcOff offset of parentPc in an inline tree entry
 */
record PclnLayout(String version, int funcSize, int startLineOff, int funcIdOff, int nfuncdataOff,
                  int inlSize, int inlFuncIdOff, int inlNameOff, int inlParentPcOff) {

    static final long MAGIC_1_18 = 0xfffffff0L;
    static final long MAGIC_1_20 = 0xfffffff1L;

    // _func fields common to both layouts (uint32/int32 each).
    static final int ENTRY_OFF = 0;
    static final int NAME_OFF = 4;
    static final int ARGS = 8;
    static final int DEFERRETURN = 12;
    static final int PCSP = 16;
    static final int PCFILE = 20;
    static final int PCLN = 24;
    static final int NPCDATA = 28;
    static final int CU_OFFSET = 32;

    static final PclnLayout GO_1_18 = new PclnLayout("1.18", 40, -1, 36, 39, 20, 2, 12, 16);
    static final PclnLayout GO_1_20 = new PclnLayout("1.20", 44, 36, 40, 43, 16, 0, 4, 8);

    /** The layout for a pcHeader magic, or null for versions chanscope does not read. */
    static PclnLayout forMagic(long magic) {
        if (magic == MAGIC_1_20) {
            return GO_1_20;
        }
        if (magic == MAGIC_1_18) {
            return GO_1_18;
        }
        return null;
    }

    int flagOff() {
        return funcIdOff + 1;
    }
}
