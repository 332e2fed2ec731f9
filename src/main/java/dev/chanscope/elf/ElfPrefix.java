package dev.chanscope.elf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The build ids of an ELF executable read from the first bytes of a stream: the ELF header,
 * the program headers, and the PT_NOTE segments that hold the build-id notes. Linkers put
 * those notes near the start (Go's at about 4 KB in), so a compressed candidate of
 * {@code --binary-search} is decoded only that far, not whole.
 *
 * <p>Go's own linker (1.24 on, which writes a GNU build id by default) puts {@code
 * .note.gnu.build-id} right after {@code .note.go.buildid} but covers only the latter with its
 * PT_NOTE segment; the section headers that locate it are at the end of the file. So the notes
 * that directly follow a PT_NOTE segment are read too, while they are well-formed GNU or Go notes.
 *
 * @param executable true when the stream starts an ELF executable or shared object (ET_EXEC, ET_DYN)
 * @param ids        the ids from the PT_NOTE segments; empty when there is no PT_NOTE within
 *                   {@link #MAX_BYTES} (the ids can then only be had from the whole file)
 * @param bytesRead  how many bytes of the stream were read
 */
public record ElfPrefix(boolean executable, Optional<BuildIds> ids, long bytesRead) {
    /** How far into the stream notes are looked for. */
    public static final int MAX_BYTES = 16 << 20;
    private static final int PT_NOTE = 4;
    private static final int EHDR = 64;
    private static final int PHDR = 56;
    /** How far past a PT_NOTE segment notes that follow it are looked for. */
    private static final int TRAILING = 4096;

    /** Reads from {@code in} only as far as the notes; does not close it. */
    public static ElfPrefix read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(EHDR);
        if (bytes.length < EHDR || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F'
                || bytes[4] != 2 || (bytes[5] != 1 && bytes[5] != 2)) {
            return new ElfPrefix(false, Optional.empty(), bytes.length); // not a 64-bit ELF file
        }
        ByteOrder order = bytes[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer h = ByteBuffer.wrap(bytes).order(order);
        int type = h.getShort(16) & 0xffff;
        if (type != ElfFile.ET_EXEC && type != ElfFile.ET_DYN) {
            return new ElfPrefix(false, Optional.empty(), bytes.length);
        }
        long phoff = h.getLong(0x20);
        int phentsize = h.getShort(0x36) & 0xffff;
        int phnum = h.getShort(0x38) & 0xffff;
        if (phentsize < PHDR || phnum == 0 || phoff < EHDR || phoff > MAX_BYTES
                || phoff + (long) phnum * phentsize > MAX_BYTES) {
            return new ElfPrefix(true, Optional.empty(), bytes.length);
        }
        bytes = extend(in, bytes, (int) (phoff + (long) phnum * phentsize));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        List<long[]> areas = new ArrayList<>(); // offset, size, align
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int p = (int) phoff + i * phentsize;
            if (p + PHDR > bytes.length) {
                break; // the stream ended inside the program headers
            }
            long offset = b.getLong(p + 8);
            long size = b.getLong(p + 32);
            if (b.getInt(p) == PT_NOTE && offset >= 0 && size >= 0 && offset <= MAX_BYTES && size <= MAX_BYTES - offset) {
                areas.add(new long[] {offset, size, b.getLong(p + 48)});
                end = Math.max(end, Math.min(offset + size + TRAILING, MAX_BYTES));
            }
        }
        if (areas.isEmpty()) {
            return new ElfPrefix(true, Optional.empty(), bytes.length);
        }
        bytes = extend(in, bytes, (int) end);
        b = ByteBuffer.wrap(bytes).order(order);
        Optional<String> gnu = Optional.empty();
        Optional<String> go = Optional.empty();
        for (long[] a : areas) {
            long align = a[2] == 8 ? 8 : 4;
            long p = a[0];
            long segmentEnd = a[0] + a[1];
            long areaEnd = Math.min(segmentEnd + TRAILING, bytes.length);
            while (p + 12 <= areaEnd) {
                long namesz = b.getInt((int) p) & 0xffffffffL;
                long descsz = b.getInt((int) p + 4) & 0xffffffffL;
                int noteType = b.getInt((int) p + 8);
                long nameAt = p + 12;
                long descAt = nameAt + pad(namesz, align);
                if (namesz > areaEnd || descsz > areaEnd || descAt + descsz > areaEnd) {
                    break; // malformed: what was read so far stands
                }
                String name = name(bytes, (int) nameAt, (int) namesz);
                if (p >= segmentEnd && !(name.equals("GNU") || name.equals("Go"))) {
                    break; // past the segment, only build-id notes continue the run
                }
                byte[] desc = Arrays.copyOfRange(bytes, (int) descAt, (int) (descAt + descsz));
                if (noteType == ElfFile.NT_GNU_BUILD_ID && name.equals("GNU") && gnu.isEmpty()) {
                    gnu = Optional.of(HexFormat.of().formatHex(desc));
                } else if (noteType == ElfFile.NT_GO_BUILD_ID && name.equals("Go") && go.isEmpty()) {
                    go = Optional.of(name(desc, 0, desc.length));
                }
                p = descAt + pad(descsz, align);
            }
        }
        return new ElfPrefix(true, Optional.of(new BuildIds(gnu, go)), bytes.length);
    }

    /** The first {@code length} bytes: those already read, then more from the stream (fewer at its end). */
    private static byte[] extend(InputStream in, byte[] have, int length) throws IOException {
        if (length <= have.length) {
            return have;
        }
        byte[] more = in.readNBytes(length - have.length);
        byte[] all = Arrays.copyOf(have, have.length + more.length);
        System.arraycopy(more, 0, all, have.length, more.length);
        return all;
    }

    private static long pad(long n, long align) {
        return (n + align - 1) & -align;
    }

    // namesz counts the terminating NUL (and Go pads "Go" with two): strip what trails
    private static String name(byte[] raw, int off, int len) {
        int n = len;
        while (n > 0 && raw[off + n - 1] == 0) {
            n--;
        }
        return new String(raw, off, n, StandardCharsets.UTF_8);
    }
}
