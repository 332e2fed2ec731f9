package dev.chanscope.gdb;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** gdb's version, parsed from the first line of {@code gdb --version} or {@code -gdb-version}. */
public record GdbVersion(int major, int minor, String text) {
    private static final Pattern PARENTHESIZED = Pattern.compile("\\([^()]*\\)");
    private static final Pattern NUMBER = Pattern.compile("(\\d{1,4})\\.(\\d{1,4})");

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    /**
     * Reads the version from a first line such as {@code GNU gdb (Debian 13.1-3) 13.1},
     * {@code GNU gdb (GDB) Fedora Linux 14.1-1.fc39} or {@code GNU gdb 8.1}. Distributions put
     * their package version in parentheses, so the first number outside them is gdb's.
     */
    public static Optional<GdbVersion> parse(String firstLine) {
        String text = firstLine.strip();
        if (!text.contains("gdb") && !text.contains("GDB")) {
            return Optional.empty();
        }
        Matcher m = NUMBER.matcher(PARENTHESIZED.matcher(text).replaceAll(" "));
        if (!m.find()) {
            m = NUMBER.matcher(text);
            if (!m.find()) {
                return Optional.empty();
            }
        }
        return Optional.of(new GdbVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), text));
    }

    /** {@code "13.1"}. */
    public String number() {
        return major + "." + minor;
    }
}
