package dev.chanscope.live;

/**
 * One line of {@code /proc/PID/maps}: {@code start-end perms offset dev inode path}.
 *
 * @param path the mapped file, a pseudo name ("[stack]", "[vdso]"), or empty for anonymous memory
 */
public record LiveMapping(long start, long end, String perms, long offset, long inode, String path) {

    public boolean readable() {
        return perms.length() > 0 && perms.charAt(0) == 'r';
    }

    public boolean writable() {
        return perms.length() > 1 && perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.length() > 2 && perms.charAt(2) == 'x';
    }

    public boolean privateMapping() {
        return perms.length() > 3 && perms.charAt(3) == 'p';
    }

    /** Backed by a file (an inode), as opposed to anonymous memory or a kernel pseudo mapping. */
    public boolean fileBacked() {
        return inode != 0 && !path.isEmpty() && !path.startsWith("[");
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    public long size() {
        return end - start;
    }

    /**
     * Parses a maps line; empty for a line that is not one. The path starts at a fixed column
     * after the inode and may itself hold spaces (" (deleted)" is kept).
     */
    static java.util.Optional<LiveMapping> parse(String line) {
        String[] f = line.strip().split("\\s+", 6);
        if (f.length < 5) {
            return java.util.Optional.empty();
        }
        int dash = f[0].indexOf('-');
        if (dash < 0) {
            return java.util.Optional.empty();
        }
        try {
            long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            long offset = Long.parseUnsignedLong(f[2], 16);
            long inode = Long.parseLong(f[4]);
            return java.util.Optional.of(new LiveMapping(start, end, f[1], offset, inode, f.length > 5 ? f[5] : ""));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }
}
