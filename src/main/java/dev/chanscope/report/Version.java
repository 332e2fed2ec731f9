package dev.chanscope.report;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The tool's version and the commit it was built from, from {@code dev/chanscope/version.properties}
 * (filled in by Maven at build time), and what it supports.
 */
public final class Version {
    /** The architectures whose cores and binaries chanscope reads (the arch package's decoders). */
    public static final List<String> ARCHITECTURES = List.of("amd64", "arm64");

    private static final String UNKNOWN = "unknown";

    private Version() {
    }

    /** "0.1.0-SNAPSHOT". */
    public static String current() {
        return property("version").orElse(UNKNOWN);
    }

    /** The abbreviated git commit, or "unknown" when built outside a git checkout. */
    public static String commit() {
        return property("commit").orElse(UNKNOWN);
    }

    /** A value Maven filled in; empty when the file is missing or the placeholder was left as it was. */
    private static Optional<String> property(String key) {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/dev/chanscope/version.properties")) {
            if (in == null) {
                return Optional.empty();
            }
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String v = p.getProperty(key, "").strip();
        return v.isEmpty() || v.contains("${") ? Optional.empty() : Optional.of(v);
    }
}
