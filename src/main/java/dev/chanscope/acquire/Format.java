package dev.chanscope.acquire;

import java.nio.charset.StandardCharsets;

/**
 * What a file or stream is, judged by its first bytes only. File names lie (a ".gz" that is
 * really zstd, a core renamed ".txt" by a chat tool), so detection never looks at them.
 */
public enum Format {
    GZIP("gzip", Kind.COMPRESSED),
    XZ("xz", Kind.COMPRESSED),
    ZSTD("zstd", Kind.COMPRESSED),
    BZIP2("bzip2", Kind.COMPRESSED),
    LZ4("lz4", Kind.COMPRESSED),
    TAR("tar", Kind.BUNDLE),
    ZIP("zip", Kind.BUNDLE),
    ELF("elf", Kind.PLAIN),
    /** Anything else: handed on untouched, and the next stage says "not a core". */
    UNKNOWN("unknown", Kind.PLAIN);

    /** How a format is handled: peeled off, searched for members, or taken as it is. */
    public enum Kind { COMPRESSED, BUNDLE, PLAIN }

    /** Enough for every magic number, the furthest being tar's at offset 257. */
    public static final int HEAD_BYTES = 512;

    private static final int TAR_MAGIC_OFFSET = 257;
    private static final byte[] USTAR = "ustar".getBytes(StandardCharsets.US_ASCII);

    private final String label;
    private final Kind kind;

    Format(String label, Kind kind) {
        this.label = label;
        this.kind = kind;
    }

    /** The short lower-case name used in {@link AcquiredInput#layers()} and in messages. */
    public String label() {
        return label;
    }

    public Kind kind() {
        return kind;
    }

    /** "gzip stream", "tar archive": the noun a message uses for damage in this format. */
    String noun() {
        return label + (kind == Kind.BUNDLE ? " archive" : " stream");
    }

    /** @param head the first bytes of the data, {@code length} of them valid */
    public static Format detect(byte[] head, int length) {
        if (startsWith(head, length, 0x7f, 'E', 'L', 'F')) {
            return ELF;
        }
        // tar's magic is six bytes deep in the header, stronger evidence than a two-byte
        // gzip magic, so it is checked before the compressors.
        if (isTar(head, length)) {
            return TAR;
        }
        if (startsWith(head, length, 0x1f, 0x8b)) {
            return GZIP;
        }
        if (startsWith(head, length, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
            return XZ;
        }
        if (startsWith(head, length, 0x28, 0xb5, 0x2f, 0xfd)) {
            return ZSTD;
        }
        if (startsWith(head, length, 'B', 'Z', 'h') && length > 3 && head[3] >= '1' && head[3] <= '9') {
            return BZIP2;
        }
        if (startsWith(head, length, 0x04, 0x22, 0x4d, 0x18)) {
            return LZ4;
        }
        // Local file header; end-of-central-directory (an empty zip); spanning marker.
        if (startsWith(head, length, 'P', 'K', 3, 4) || startsWith(head, length, 'P', 'K', 5, 6)
                || startsWith(head, length, 'P', 'K', 7, 8)) {
            return ZIP;
        }
        return UNKNOWN;
    }

    /** POSIX ustar has "ustar\0" at 257, old GNU tar "ustar  \0": both start "ustar". */
    private static boolean isTar(byte[] head, int length) {
        int end = TAR_MAGIC_OFFSET + USTAR.length;
        if (length <= end) {
            return false;
        }
        for (int i = 0; i < USTAR.length; i++) {
            if (head[TAR_MAGIC_OFFSET + i] != USTAR[i]) {
                return false;
            }
        }
        return head[end] == 0 || head[end] == ' ';
    }

    private static boolean startsWith(byte[] head, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
