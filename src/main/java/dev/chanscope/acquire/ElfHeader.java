package dev.chanscope.acquire;

import java.util.Optional;

/**
 * The part of an ELF header that tells a core from an executable: e_type, a 16-bit field at
 * offset 16 in the byte order given by e_ident[EI_DATA]. Eighteen bytes are enough, so a
 * compressed member only has to be decompressed that far to be classified.
 */
record ElfHeader(int type) {
    static final int ET_EXEC = 2;
    static final int ET_DYN = 3;
    static final int ET_CORE = 4;

    private static final int EI_DATA = 5;
    private static final int ELFDATA2LSB = 1;
    private static final int ELFDATA2MSB = 2;
    private static final int E_TYPE = 16;

    /** @return empty when the bytes are not an ELF header or too short to hold e_type */
    static Optional<ElfHeader> parse(byte[] head, int length) {
        if (length < E_TYPE + 2 || Format.detect(head, length) != Format.ELF) {
            return Optional.empty();
        }
        int lo;
        int hi;
        switch (head[EI_DATA]) {
            case ELFDATA2LSB -> { lo = head[E_TYPE] & 0xff; hi = head[E_TYPE + 1] & 0xff; }
            case ELFDATA2MSB -> { hi = head[E_TYPE] & 0xff; lo = head[E_TYPE + 1] & 0xff; }
            default -> { return Optional.empty(); }
        }
        return Optional.of(new ElfHeader(hi << 8 | lo));
    }

    boolean isCore() {
        return type == ET_CORE;
    }

    /** ET_EXEC, or ET_DYN: Go builds position-independent executables on several platforms. */
    boolean isProgram() {
        return type == ET_EXEC || type == ET_DYN;
    }
}
