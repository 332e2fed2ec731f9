package dev.chanscope.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds and parses ELF notes. A note is {namesz, descsz, type} (three u32) followed by the
 * name and the descriptor, each padded to the note area's alignment: 4 bytes for the
 * classic notes (core notes, build ids), 8 for areas aligned to 8 (.note.gnu.property).
 */
final class ElfNotes {
    /** A file range that holds notes. */
    record Area(long offset, long size, long align) {
        boolean overlaps(Area o) {
            return offset < o.offset + o.size && o.offset < offset + size;
        }
    }

    private ElfNotes() {}

    /**
     * The note areas of a file in file order: SHT_NOTE sections, then the PT_NOTE segments that
     * no section covers. An executable describes the same bytes both ways (the PT_NOTE segment
     * spans the note sections), and reading both would list every note twice.
     */
    static List<Area> merge(List<Area> fromSections, List<Area> fromSegments) {
        List<Area> areas = new ArrayList<>(fromSections);
        for (Area a : fromSegments) {
            if (fromSections.stream().noneMatch(a::overlaps)) {
                areas.add(a);
            }
        }
        areas.sort(Comparator.comparingLong(Area::offset));
        return areas;
    }

    /**
     * Parses the notes of one area. Stops quietly at the end of the file or at a malformed
     * header: a core cut short still yields the notes that made it to disk.
     */
    static List<ElfFile.Note> parse(ElfBytes bytes, Area area) {
        List<ElfFile.Note> notes = new ArrayList<>();
        long align = area.align() == 8 ? 8 : 4;
        long p = area.offset();
        // offsets and sizes are unsigned 64-bit in the file: a huge one reads as negative here,
        // and offset + size can wrap; either way the area lies outside the file
        if (p < 0 || area.size() < 0 || p >= bytes.size()) {
            return notes;
        }
        long end = p + Math.min(area.size(), bytes.size() - p);
        while (p + 12 <= end) {
            long namesz = bytes.u32(p);
            long descsz = bytes.u32(p + 4);
            int type = (int) bytes.u32(p + 8);
            long nameAt = p + 12;
            long descAt = nameAt + pad(namesz, align);
            long next = descAt + pad(descsz, align);
            if (descAt + descsz > end || descsz > Integer.MAX_VALUE) {
                break;
            }
            String name = name(bytes.read(nameAt, (int) namesz));
            notes.add(new ElfFile.Note(name, type, bytes.read(descAt, (int) descsz)));
            p = next;
        }
        return notes;
    }

    private static long pad(long n, long align) {
        return (n + align - 1) & -align;
    }

    // namesz counts the terminating NUL (and Go pads "Go" with two): strip what trails.
    private static String name(byte[] raw) {
        int n = raw.length;
        while (n > 0 && raw[n - 1] == 0) {
            n--;
        }
        return new String(raw, 0, n, StandardCharsets.UTF_8);
    }
}
