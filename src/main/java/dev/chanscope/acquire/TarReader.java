package dev.chanscope.acquire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a tar stream member by member: ustar, old GNU (long names, sparse members) and pax
 * (extended headers, GNU sparse formats 0.0, 0.1 and 1.0), every size a long.
 *
 * <p>chanscope has its own reader because commons-compress 1.28 parses the pax sparse sizes
 * ({@code GNU.sparse.realsize}, {@code GNU.sparse.size}) as an int and rejects old-GNU sparse
 * members over 8 GiB, so one big sparse member (a core is mostly holes) failed the whole archive,
 * whichever member the core was. A sparse member's data is given expanded (holes as zeros) and
 * skipped over without expansion.
 *
 * <p>Every fault is an {@link IOException}; {@link EOFException} when the input stops inside
 * the archive (no end-of-archive record), which the caller reports as a truncation.
 */
final class TarReader {
    static final int RECORD = 512;
    /** A pax header or a GNU long name: real ones are a few hundred bytes. */
    static final int MAX_META = 1 << 20;
    /** Extents of one sparse member: a real core has one per run of written pages. */
    static final int MAX_EXTENTS = 1 << 20;

    /** One member, with its sizes as the archive states them. */
    record Entry(String name, char type, long size, int mode, String linkName, boolean sparse) {
        boolean isRegular() {
            return (type == '0' || type == 0 || type == '7' || type == 'S') && !name.endsWith("/");
        }

        boolean isDirectory() {
            return type == '5' || type == 'D' || ((type == '0' || type == 0) && name.endsWith("/"));
        }
    }

    private final InputStream in;
    private final byte[] header = new byte[RECORD];
    private final byte[] scratch = new byte[1 << 16];
    private final Map<String, String> globalPax = new HashMap<>();
    private final InputStream data = new MemberData();
    /** Bytes read from the input: where the next header is, for messages. */
    private long position;
    /** The current member's stored data not yet read, and the padding after it. */
    private long storedLeft;
    private long padding;
    /** The current member's expanded size and how far it has been read. */
    private long size;
    private long read;
    /** The current member's sparse map, or null when it is not sparse; the extent reached. */
    private TarSparseMap sparse;
    private final int[] extent = new int[1];

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The current member's data: expanded, ending at its size. Valid until the next {@link #next}. */
    InputStream data() {
        return data;
    }

    /** The next member, or null at the end-of-archive record. */
    Entry next() throws IOException {
        skipFully(storedLeft + padding);
        storedLeft = 0;
        padding = 0;
        size = 0;
        read = 0;
        sparse = null;
        extent[0] = 0;
        Map<String, String> pax = new HashMap<>();
        List<long[]> pax00 = new ArrayList<>();
        String longName = null;
        String longLink = null;
        while (true) {
            long at = position;
            if (!readRecord(header)) {
                throw new EOFException("the input stops where a tar header was due (byte " + at + ")");
            }
            if (allZero(header)) {
                return null;
            }
            checkSum(header, at);
            char type = (char) (header[156] & 0xff);
            long stored = number(header, 124, 12, "size", at);
            switch (type) {
                case 'x', 'g' -> {
                    byte[] meta = readMeta(stored, "pax header", at);
                    parsePax(meta, type == 'g' ? globalPax : pax, pax00, at);
                }
                case 'L' -> longName = cString(readMeta(stored, "GNU long name", at), 0, (int) stored);
                case 'K' -> longLink = cString(readMeta(stored, "GNU long link name", at), 0, (int) stored);
                default -> {
                    return entry(type, stored, at, merged(pax), pax00, longName, longLink);
                }
            }
        }
    }

    private Map<String, String> merged(Map<String, String> local) {
        Map<String, String> all = new HashMap<>(globalPax);
        all.putAll(local);
        return all;
    }

    private Entry entry(char type, long stored, long at, Map<String, String> pax, List<long[]> pax00,
                        String longName, String longLink) throws IOException {
        boolean posix = header[257] == 'u' && header[262] == 0; // "ustar\0": has a name prefix
        String name = cString(header, 0, 100);
        if (posix && header[345] != 0) {
            name = cString(header, 345, 155) + "/" + name;
        }
        if (longName != null) {
            name = longName;
        }
        name = pax.getOrDefault("path", name);
        String link = longLink != null ? longLink : cString(header, 157, 100);
        link = pax.getOrDefault("linkpath", link);
        int mode;
        try {
            mode = (int) (number(header, 100, 8, "mode", at) & 07777);
        } catch (IOException e) {
            mode = -1; // the permission bits only rank programs: not worth refusing a member for
        }
        if (pax.containsKey("size")) {
            stored = paxNumber(pax, "size", at);
        }
        storedLeft = stored;
        padding = (RECORD - stored % RECORD) % RECORD;
        size = stored;
        boolean regular = type == '0' || type == 0 || type == '7' || type == 'S';
        if (type == 'S') {
            oldGnuSparse(stored, at);
        } else if (regular && "1".equals(pax.get("GNU.sparse.major")) && "0".equals(pax.get("GNU.sparse.minor"))) {
            paxSparse10(pax, at);
        } else if (regular && pax.containsKey("GNU.sparse.map")) {
            paxSparse01(pax, at);
        } else if (regular && !pax00.isEmpty()) {
            setExtents(pax00, paxNumber(pax, "GNU.sparse.size", at), at);
        }
        if (sparse != null && pax.containsKey("GNU.sparse.name")) {
            name = pax.get("GNU.sparse.name");
        }
        if (type == 'S') {
            type = '0';
        }
        if (!regular && type != '5' && type != 'D') {
            // a link, a device or a FIFO has no data worth reading, whatever its size says
            size = 0;
        }
        return new Entry(name, type, size, mode, link, sparse != null);
    }

    /** Old GNU: 4 extents in the header, 21 more in each extension record while the flag says so. */
    private void oldGnuSparse(long stored, long at) throws IOException {
        List<long[]> extents = new ArrayList<>();
        addOldGnuExtents(header, 386, 4, extents, at);
        long realSize = number(header, 483, 12, "GNU real size", at);
        boolean more = header[482] != 0;
        byte[] ext = new byte[RECORD];
        while (more) {
            long extAt = position;
            if (!readRecord(ext)) {
                throw new EOFException("the input stops inside a sparse member's map (byte " + extAt + ")");
            }
            addOldGnuExtents(ext, 0, 21, extents, extAt);
            more = ext[504] != 0;
        }
        setExtents(extents, realSize, at);
        if (sparse.stored() != stored) {
            throw corrupt(at, "its sparse map covers " + sparse.stored() + " bytes but it stores " + stored);
        }
    }

    private void addOldGnuExtents(byte[] record, int offset, int slots, List<long[]> extents, long at)
            throws IOException {
        for (int i = 0; i < slots; i++) {
            int p = offset + i * 24;
            if (record[p] == 0 && record[p + 12] == 0) {
                return; // an unused slot ends the list
            }
            extents.add(new long[] {number(record, p, 12, "sparse offset", at),
                    number(record, p + 12, 12, "sparse length", at)});
            if (extents.size() > MAX_EXTENTS) {
                throw corrupt(at, "its sparse map has more than " + MAX_EXTENTS + " extents");
            }
        }
    }

    /** pax 0.1: {@code GNU.sparse.map=offset,length,offset,length...}. */
    private void paxSparse01(Map<String, String> pax, long at) throws IOException {
        String map = pax.get("GNU.sparse.map");
        String[] parts = map.isEmpty() ? new String[0] : map.split(",", -1);
        if (parts.length % 2 != 0 || parts.length / 2 > MAX_EXTENTS) {
            throw corrupt(at, "its GNU.sparse.map has " + parts.length + " numbers");
        }
        List<long[]> extents = new ArrayList<>();
        for (int i = 0; i < parts.length; i += 2) {
            extents.add(new long[] {decimal(parts[i], at), decimal(parts[i + 1], at)});
        }
        setExtents(extents, paxNumber(pax, "GNU.sparse.size", at), at);
        checkStored(at);
    }

    /** pax 1.0: the map is at the start of the data, decimal numbers one a line, in whole records. */
    private void paxSparse10(Map<String, String> pax, long at) throws IOException {
        long realSize = paxNumber(pax, "GNU.sparse.realsize", at);
        MapReader map = new MapReader(at);
        long count = map.nextNumber();
        if (count > MAX_EXTENTS) {
            throw corrupt(at, "its sparse map has " + count + " extents");
        }
        List<long[]> extents = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            extents.add(new long[] {map.nextNumber(), map.nextNumber()});
        }
        setExtents(extents, realSize, at);
        checkStored(at);
    }

    /** Reads the decimal numbers of a pax 1.0 map out of the member's data, record by record. */
    private final class MapReader {
        private final byte[] record = new byte[RECORD];
        private final long at;
        private int pos = RECORD;

        MapReader(long at) {
            this.at = at;
        }

        long nextNumber() throws IOException {
            long value = 0;
            int digits = 0;
            while (true) {
                if (pos == RECORD) {
                    if (storedLeft < RECORD) {
                        throw corrupt(at, "its sparse map runs past its data");
                    }
                    if (!readRecord(record)) {
                        throw new EOFException("the input stops inside a sparse member's map");
                    }
                    storedLeft -= RECORD;
                    pos = 0;
                }
                byte b = record[pos++];
                if (b == '\n' && digits > 0) {
                    return value;
                }
                if (b < '0' || b > '9' || ++digits > 19) {
                    throw corrupt(at, "its sparse map is not decimal numbers one a line");
                }
                value = value * 10 + (b - '0');
            }
        }
    }

    private void checkStored(long at) throws IOException {
        if (sparse.stored() != storedLeft) {
            throw corrupt(at, "its sparse map covers " + sparse.stored() + " bytes but it stores " + storedLeft);
        }
    }

    private void setExtents(List<long[]> extents, long realSize, long at) throws IOException {
        sparse = TarSparseMap.of(extents, realSize, "the header at byte " + at + " is damaged: ");
        size = realSize;
    }

    private void parsePax(byte[] meta, Map<String, String> into, List<long[]> pax00, long at) throws IOException {
        int pos = 0;
        long pendingOffset = -1;
        while (pos < meta.length && meta[pos] != 0) {
            int space = pos;
            long length = 0;
            while (space < meta.length && meta[space] >= '0' && meta[space] <= '9' && space - pos < 8) {
                length = length * 10 + (meta[space] - '0');
                space++;
            }
            if (space == pos || space >= meta.length || meta[space] != ' ' || length <= space - pos + 1
                    || pos + length > meta.length || meta[(int) (pos + length - 1)] != '\n') {
                throw corrupt(at, "its pax header has a malformed record at byte " + pos);
            }
            String record = new String(meta, space + 1, (int) (pos + length - 1 - space - 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw corrupt(at, "its pax header has a record without a key");
            }
            String key = record.substring(0, eq);
            String value = record.substring(eq + 1);
            // 0.0 repeats offset and numbytes once per extent: their order is the map
            if (key.equals("GNU.sparse.offset")) {
                pendingOffset = decimal(value, at);
            } else if (key.equals("GNU.sparse.numbytes")) {
                if (pendingOffset < 0 || pax00.size() >= MAX_EXTENTS) {
                    throw corrupt(at, "its GNU.sparse.numbytes has no offset before it");
                }
                pax00.add(new long[] {pendingOffset, decimal(value, at)});
                pendingOffset = -1;
            } else if (value.isEmpty()) {
                into.remove(key); // an empty value deletes the key (POSIX)
            } else {
                into.put(key, value);
            }
            pos += (int) length;
        }
    }

    private long paxNumber(Map<String, String> pax, String key, long at) throws IOException {
        String value = pax.get(key);
        if (value == null) {
            throw corrupt(at, "its pax header lacks " + key);
        }
        return decimal(value, at);
    }

    private long decimal(String value, long at) throws IOException {
        if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw corrupt(at, "'" + value + "' is not a size");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw corrupt(at, "'" + value + "' is not a size");
        }
    }

    private byte[] readMeta(long stored, String what, long at) throws IOException {
        if (stored > MAX_META) {
            throw corrupt(at, "its " + what + " is " + stored + " bytes long");
        }
        byte[] meta = new byte[(int) stored];
        readFully(meta, 0, meta.length);
        skipFully((RECORD - stored % RECORD) % RECORD);
        return meta;
    }

    private final class MemberData extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (read >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - read);
            if (sparse == null) {
                n = readStored(b, off, n);
            } else {
                long run = sparse.run(read, n, extent);
                if (run > 0) {
                    n = readStored(b, off, (int) run);
                } else {
                    n = (int) -run;
                    Arrays.fill(b, off, off + n, (byte) 0);
                }
            }
            read += n;
            return n;
        }

        private int readStored(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new EOFException("the input stops inside a member's data");
            }
            position += n;
            storedLeft -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return SkipByReading.skip(this, n);
        }
    }

    private boolean readRecord(byte[] record) throws IOException {
        int got = 0;
        while (got < RECORD) {
            int n = in.read(record, got, RECORD - got);
            if (n < 0) {
                if (got == 0) {
                    return false;
                }
                throw new EOFException("the input stops inside a tar record (byte " + (position + got) + ")");
            }
            got += n;
        }
        position += RECORD;
        return true;
    }

    private void readFully(byte[] b, int off, int len) throws IOException {
        int got = 0;
        while (got < len) {
            int n = in.read(b, off + got, len - got);
            if (n < 0) {
                throw new EOFException("the input stops inside a tar member");
            }
            got += n;
            position += n;
        }
    }

    private void skipFully(long n) throws IOException {
        long left = n;
        while (left > 0) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (r < 0) {
                throw new EOFException("the input stops inside a tar member");
            }
            left -= r;
            position += r;
        }
    }

    private static boolean allZero(byte[] record) {
        for (byte b : record) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The header checksum: the unsigned byte sum with the field itself as spaces (old tars: signed). */
    private static void checkSum(byte[] h, long at) throws IOException {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < RECORD; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        long stored;
        try {
            stored = number(h, 148, 8, "checksum", at);
        } catch (IOException e) {
            throw corrupt(at, "its checksum field is not a number");
        }
        if (stored != unsigned && stored != signed) {
            throw corrupt(at, "its checksum does not match");
        }
    }

    /** A numeric field: octal digits (blanks or NULs around them), or base-256 when the top bit is set. */
    static long number(byte[] h, int off, int len, String what, long at) throws IOException {
        if ((h[off] & 0x80) != 0) {
            if ((h[off] & 0x40) != 0) {
                throw corrupt(at, "its " + what + " is negative");
            }
            long value = h[off] & 0x3f;
            for (int i = 1; i < len; i++) {
                if (value > (Long.MAX_VALUE >> 8)) {
                    throw corrupt(at, "its " + what + " is too large");
                }
                value = (value << 8) | (h[off + i] & 0xff);
            }
            return value;
        }
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long value = 0;
        while (i < end && h[i] >= '0' && h[i] <= '7') {
            if (value > (Long.MAX_VALUE >> 3)) {
                throw corrupt(at, "its " + what + " is too large");
            }
            value = value * 8 + (h[i] - '0');
            i++;
        }
        for (; i < end; i++) {
            if (h[i] != ' ' && h[i] != 0) {
                throw corrupt(at, "its " + what + " field is not an octal number");
            }
        }
        return value;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static IOException corrupt(long at, String what) {
        return new IOException("the header at byte " + at + " is damaged: " + what);
    }
}
