package dev.chanscope.attach;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.tukaani.xz.XZInputStream;

/**
 * The prebuilt Go programs of src/test/resources/live (see its README): decompressed into a
 * test's directory and made executable.
 */
final class LivePrograms {
    /** Go releases the programs are built with, newest first. */
    static final List<String> GO_VERSIONS = List.of("1.26.8", "1.22.12");

    private LivePrograms() {
    }

    /** {@code name} ("live-blocked", "live-panic") built with Go {@code goVersion}, extracted into {@code dir}. */
    static Path extract(Path dir, String goVersion, String name) {
        String resource = "/live/go" + goVersion + "/" + name + ".xz";
        Path out = dir.resolve(name + "-go" + goVersion);
        if (Files.isExecutable(out)) {
            return out;
        }
        try (InputStream raw = LivePrograms.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            try (InputStream in = new XZInputStream(raw)) {
                Files.copy(in, out);
            }
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
