package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.acquire.TestFiles.Codec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Single compressed cores, made by the Java libraries and by the real command-line tools. */
class AcquirerFormatsTest {
    private static final long CAP = 64L << 20;

    @TempDir
    Path tmp;

    private final RecordingListener listener = new RecordingListener();

    private AcquiredInput acquire(Path input) {
        return new Acquirer(tmp.resolve("cache"), CAP, listener).acquire(input);
    }

    @Test
    void plainCoreIsUsedInPlace() {
        Path core = TestFiles.write(tmp.resolve("core"), TestFiles.core());
        AcquiredInput acquired = acquire(core);
        assertEquals(new AcquiredInput(core, Optional.empty(), List.of(), core), acquired);
    }

    @Test
    void unknownContentIsPassedThroughUntouched() {
        Path text = TestFiles.write(tmp.resolve("core.gz"), "not compressed at all\n".getBytes(StandardCharsets.UTF_8));
        AcquiredInput acquired = acquire(text);
        assertEquals(text, acquired.core());
        assertEquals(List.of(), acquired.layers());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void eachCompressionMadeByJava(Codec codec) {
        byte[] core = TestFiles.core();
        // a misleading name: detection must go by content
        Path input = TestFiles.write(tmp.resolve("core.txt"), TestFiles.compress(codec, core));
        AcquiredInput acquired = acquire(input);
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertEquals(List.of(Format.valueOf(codec.name()).label()), acquired.layers());
        assertEquals(Optional.empty(), acquired.binary());
        assertTrue(acquired.core().startsWith(tmp.resolve("cache")));
        assertEquals(input, acquired.original());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void eachCompressionMadeByItsCommandLineTool(Codec codec) {
        byte[] core = TestFiles.core();
        TestFiles.write(tmp.resolve("core"), core);
        String tool = switch (codec) {
            case GZIP -> "gzip -c core > out";
            case XZ -> "xz -c core > out";
            case ZSTD -> "zstd -q -c core > out";
            case BZIP2 -> "bzip2 -c core > out";
            case LZ4 -> "lz4 -q -c core > out";
        };
        TestFiles.sh(tmp, tool);
        AcquiredInput acquired = acquire(tmp.resolve("out"));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertEquals(List.of(Format.valueOf(codec.name()).label()), acquired.layers());
    }

    @Test
    void zstdLongWindowAsSystemdWrites() {
        byte[] core = TestFiles.core();
        TestFiles.write(tmp.resolve("core"), core);
        // Fed through a pipe zstd cannot shrink the window to the input size, so the frame
        // really declares a 2 GiB window, which the default decoder limit refuses.
        TestFiles.sh(tmp, "cat core | zstd -q --long=31 -c > core.zst");
        AcquiredInput acquired = acquire(tmp.resolve("core.zst"));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
    }

    @Test
    void concatenatedMembersAndFramesAreDecodedWhole() {
        byte[] core = TestFiles.core();
        TestFiles.write(tmp.resolve("a"), TestFiles.head(core, 100_000));
        byte[] rest = new byte[core.length - 100_000];
        System.arraycopy(core, 100_000, rest, 0, rest.length);
        TestFiles.write(tmp.resolve("b"), rest);
        for (String tool : List.of("gzip", "zstd -q", "xz", "bzip2", "lz4 -q")) {
            String ext = tool.split(" ")[0];
            TestFiles.sh(tmp, tool + " -c a > a." + ext + " && " + tool + " -c b > b." + ext
                    + " && cat a." + ext + " b." + ext + " > both." + ext);
            AcquiredInput acquired = acquire(tmp.resolve("both." + ext));
            assertArrayEquals(core, TestFiles.read(acquired.core()), tool);
        }
    }

    @Test
    void gzipOfXzIsUnwrappedTwice() {
        byte[] core = TestFiles.core();
        Path input = TestFiles.write(tmp.resolve("core.xz.gz"),
                TestFiles.compress(Codec.GZIP, TestFiles.compress(Codec.XZ, core)));
        AcquiredInput acquired = acquire(input);
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertEquals(List.of("gzip", "xz"), acquired.layers());
    }

    @Test
    void fourLayersAreAllowed() {
        byte[] core = TestFiles.core();
        byte[] data = core;
        for (Codec codec : List.of(Codec.XZ, Codec.ZSTD, Codec.BZIP2, Codec.GZIP)) {
            data = TestFiles.compress(codec, data);
        }
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve("deep"), data));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertEquals(List.of("gzip", "bzip2", "zstd", "xz"), acquired.layers());
    }

    /**
     * A compressed file that is not a core is refused from its first decompressed bytes, before
     * anything is written: the old code unpacked it whole into the cache (a 14 MB input left
     * 3.1 GB) and let the next stage say "not an ELF file".
     */
    @Test
    void compressedNonCoreIsRefusedBeforeAnythingIsCached() throws Exception {
        byte[] line = "2026-12-06T04:00:00Z INFO a log line, not a core\n".getBytes(StandardCharsets.UTF_8);
        byte[] log = new byte[line.length * 400_000]; // 20 MB of text, about 60 KB as zstd
        for (int i = 0; i < 400_000; i++) {
            System.arraycopy(line, 0, log, i * line.length, line.length);
        }
        Path input = TestFiles.write(tmp.resolve("app.log.zst"), TestFiles.compress(Codec.ZSTD, log));
        dev.chanscope.ChanscopeException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.chanscope.ChanscopeException.class, () -> acquire(input));
        assertEquals(dev.chanscope.ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("the zstd data is not a core: it holds text \"2026-12-06T04:00…\""),
                e.getMessage());
        assertTrue(e.getMessage().contains("nothing was unpacked"), e.getMessage());
        try (var files = java.nio.file.Files.walk(tmp.resolve("cache"))) {
            List<java.nio.file.Path> left = files.filter(java.nio.file.Files::isRegularFile).toList();
            assertEquals(List.of(), left, "nothing may be left in the cache");
        }
        // Binary garbage is shown as hex.
        Path junk = TestFiles.write(tmp.resolve("junk.gz"), TestFiles.compress(Codec.GZIP, new byte[] {0, 1, 2, (byte) 0xff}));
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.chanscope.ChanscopeException.class, () -> acquire(junk));
        assertTrue(e.getMessage().contains("it holds bytes 000102ff"), e.getMessage());
    }

    @Test
    void reportsProgressUpToTheInputSize() {
        Path input = TestFiles.write(tmp.resolve("core.zst"), TestFiles.compress(Codec.ZSTD, TestFiles.core()));
        acquire(input);
        long size = TestFiles.read(input).length;
        assertTrue(listener.progress.stream().anyMatch(p -> p.label().startsWith("unpacking")
                && p.done() == size && p.total() == size), listener.progress::toString);
    }

    @Test
    void systemdCoredumpFileIsRecognisedByContentAndNamed() {
        byte[] core = TestFiles.core();
        String name = "core.server.1000.0123456789abcdef0123456789abcdef.4242.1700000000000000.zst";
        AcquiredInput acquired = acquire(TestFiles.write(tmp.resolve(name), TestFiles.compress(Codec.ZSTD, core)));
        assertArrayEquals(core, TestFiles.read(acquired.core()));
        assertTrue(listener.noted("systemd-coredump of 'server' (pid 4242, uid 1000)"), listener.notes::toString);
    }
}
