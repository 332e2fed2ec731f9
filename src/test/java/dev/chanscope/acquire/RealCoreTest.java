package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.acquire.TestFiles.Codec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core the kernel wrote, when this machine lets a test make one cheaply (core_pattern a plain
 * file name, no hard limit of 0); otherwise the synthetic header stands in, so it never skips.
 */
class RealCoreTest {
    @TempDir
    Path tmp;

    @Test
    void kernelCoreSurvivesCompressionAndBundling() throws Exception {
        byte[] core = makeRealCore().orElseGet(TestFiles::core);
        assertEquals(ElfHeader.ET_CORE, ElfHeader.parse(core, core.length).orElseThrow().type());

        TestFiles.write(tmp.resolve("src/core"), core);
        TestFiles.sh(tmp.resolve("src"), "tar -cf - core | xz -c > ../bundle.tar.xz");
        AcquiredInput acquired = new Acquirer(tmp.resolve("cache"), 1L << 30, ProgressListener.NONE)
                .acquire(tmp.resolve("bundle.tar.xz"));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertEquals(List.of("xz", "tar"), acquired.layers());

        Path gz = TestFiles.write(tmp.resolve("core.gz"), TestFiles.compress(Codec.GZIP, core));
        AcquiredInput direct = new Acquirer(tmp.resolve("cache"), 1L << 30, ProgressListener.NONE).acquire(gz);
        assertArrayEquals(core, TestFiles.read(direct.core()));
    }

    private Optional<byte[]> makeRealCore() throws IOException, InterruptedException {
        String pattern = Files.readString(Path.of("/proc/sys/kernel/core_pattern")).strip();
        if (pattern.startsWith("|") || pattern.contains("/")) {
            return Optional.empty(); // piped to a handler (systemd-coredump, apport) or elsewhere
        }
        Path dir = Files.createDirectories(tmp.resolve("dump"));
        Process p = new ProcessBuilder("sh", "-c", "ulimit -c unlimited; kill -ABRT $$")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            Optional<Path> written = files.filter(f -> f.getFileName().toString().startsWith("core")).findFirst();
            if (written.isEmpty()) {
                return Optional.empty();
            }
            byte[] bytes = Files.readAllBytes(written.get());
            assertTrue(bytes.length > 64);
            return Optional.of(bytes);
        }
    }
}
