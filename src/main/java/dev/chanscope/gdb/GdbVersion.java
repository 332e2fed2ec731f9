package dev.chanscope.gdb;

/** gdb's version, parsed from the first line of {@code gdb --version} or {@code -gdb-version}. */
public record GdbVersion(int major, int minor, String text) {
    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }
}
