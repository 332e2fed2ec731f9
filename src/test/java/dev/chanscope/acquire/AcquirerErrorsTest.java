package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.acquire.TestFiles.Codec;
import dev.chanscope.acquire.TestFiles.TarItem;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every way an input can be bad ends in one line, exit code BAD_INPUT, and no cache entry. */
class AcquirerErrorsTest {
    @TempDir
    Path tmp;

    private ChanscopeException failure(Path input) {
        ChanscopeException e = assertThrows(ChanscopeException.class,
                () -> new Acquirer(tmp.resolve("cache"), 64L << 20, ProgressListener.NONE).acquire(input));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertNoCacheEntries();
        return e;
    }

    private void assertNoCacheEntries() {
        Path cache = tmp.resolve("cache");
        if (!Files.exists(cache)) {
            return;
        }
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(0, entries.count(), "a failed run leaves nothing in the cache");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] cut(byte[] data, double fraction) {
        return Arrays.copyOf(data, (int) (data.length * fraction));
    }

    @Test
    void missingFile() {
        Path input = tmp.resolve("nope.zst");
        assertEquals("no such file: " + input, failure(input).getMessage());
    }

    @Test
    void brokenSymlink() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("core"), tmp.resolve("gone"));
        assertEquals(link + " is a symbolic link to a file that does not exist", failure(link).getMessage());
    }

    @Test
    void directory() {
        assertEquals(tmp + " is a directory; give the core file itself, or a bundle holding it",
                failure(tmp).getMessage());
    }

    @Test
    void emptyFile() {
        Path input = TestFiles.write(tmp.resolve("core"), new byte[0]);
        assertEquals(input + " is empty (0 bytes): the core was never written, or the copy failed",
                failure(input).getMessage());
    }

    @Test
    void unreadableFile() throws IOException {
        Path input = TestFiles.write(tmp.resolve("core.gz"), TestFiles.compress(Codec.GZIP, TestFiles.core()));
        // The wording for EACCES, checked directly: as root (CI) a chmod cannot make a file unreadable.
        assertEquals("cannot read " + input + ": permission denied",
                InputCheck.cannotRead(input, new AccessDeniedException(input.toString())).getMessage());
        Files.setPosixFilePermissions(input, PosixFilePermissions.fromString("---------"));
        if (!Files.isReadable(input)) {
            assertEquals("cannot read " + input + ": permission denied", failure(input).getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void truncatedStream(Codec codec) {
        byte[] whole = TestFiles.compress(codec, TestFiles.core());
        byte[] cut = cut(whole, 0.6);
        Path input = TestFiles.write(tmp.resolve("core.part"), cut);
        String label = Format.valueOf(codec.name()).label();
        assertEquals(input + ": the " + label + " stream ends early: the file is truncated (" + cut.length + " bytes)",
                failure(input).getMessage());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void streamCutJustAfterItsHeader(Codec codec) {
        byte[] whole = TestFiles.compress(codec, TestFiles.core());
        byte[] cut = Arrays.copyOf(whole, 12);
        Path input = TestFiles.write(tmp.resolve("core.part"), cut);
        assertTrue(failure(input).getMessage().endsWith(" stream ends early: the file is truncated (12 bytes)"));
    }

    @Test
    void truncatedByTheRealGzipTool() {
        TestFiles.write(tmp.resolve("core"), TestFiles.core());
        TestFiles.sh(tmp, "gzip -c core | head -c 50000 > core.gz");
        assertEquals(tmp.resolve("core.gz") + ": the gzip stream ends early: the file is truncated (50000 bytes)",
                failure(tmp.resolve("core.gz")).getMessage());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void corruptStream(Codec codec) {
        byte[] data = TestFiles.compress(codec, TestFiles.core());
        for (int i = data.length / 3; i < data.length / 3 + 64; i++) {
            data[i] ^= (byte) 0x5a;
        }
        Path input = TestFiles.write(tmp.resolve("core.bad"), data);
        String message = failure(input).getMessage();
        assertTrue(message.startsWith(input + ": the " + Format.valueOf(codec.name()).label() + " stream is corrupt ("),
                message);
    }

    @Test
    void truncatedTar() {
        byte[] tar = TestFiles.tar(TarItem.file("core", TestFiles.core()));
        byte[] cut = cut(tar, 0.5);
        Path input = TestFiles.write(tmp.resolve("b.tar"), cut);
        assertEquals(input + ": the tar archive ends early: the file is truncated (" + cut.length + " bytes)",
                failure(input).getMessage());
    }

    @Test
    void tarCutBetweenMembersBeforeTheCore() {
        byte[] readme = "read me\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // README's data ends in zero padding: that must not pass for the end-of-archive record
        for (byte[] first : new byte[][] {readme, new byte[100]}) {
            byte[] tar = TestFiles.tar(TarItem.file("README", first), TarItem.file("core", TestFiles.core()));
            for (int length : new int[] {1024, 1300}) { // at a member boundary; inside the next header
                Path input = TestFiles.write(tmp.resolve("b" + length + ".tar"), Arrays.copyOf(tar, length));
                assertEquals(input + ": the tar archive ends early: the file is truncated (" + length + " bytes)",
                        failure(input).getMessage());
            }
        }
    }

    @Test
    void truncatedTarZst() {
        byte[] data = TestFiles.compress(Codec.ZSTD, TestFiles.tar(TarItem.file("core", TestFiles.core())));
        byte[] cut = cut(data, 0.5);
        Path input = TestFiles.write(tmp.resolve("b.tar.zst"), cut);
        assertEquals(input + ": the zstd stream ends early: the file is truncated (" + cut.length + " bytes)",
                failure(input).getMessage());
    }

    @Test
    void truncatedZip() {
        byte[] zip = TestFiles.zip("core", TestFiles.core());
        Path input = TestFiles.write(tmp.resolve("b.zip"), cut(zip, 0.7));
        String message = failure(input).getMessage();
        assertTrue(message.startsWith(input + ": the zip archive is damaged or truncated ("), message);
    }

    @Test
    void memberThatWasAlreadyTruncatedWhenBundled() {
        byte[] xz = cut(TestFiles.compress(Codec.XZ, TestFiles.core()), 0.5);
        Path input = TestFiles.write(tmp.resolve("b.tar"), TestFiles.tar(TarItem.file("core.xz", xz)));
        assertEquals(input + ": member 'core.xz' of the tar: the xz stream ends early: it was cut short before it was "
                + "put into the tar", failure(input).getMessage());
    }

    @Test
    void innerLayerThatWasTruncatedBeforeCompression() {
        byte[] xz = cut(TestFiles.compress(Codec.XZ, TestFiles.core()), 0.5);
        Path input = TestFiles.write(tmp.resolve("core.xz.gz"), TestFiles.compress(Codec.GZIP, xz));
        assertEquals(input + ": the xz stream ends early: it was cut short before it was compressed with gzip",
                failure(input).getMessage());
    }

    @Test
    void compressedNothing() {
        Path input = TestFiles.write(tmp.resolve("core.gz"), TestFiles.compress(Codec.GZIP, new byte[0]));
        assertEquals(input + ": the gzip stream holds no data (0 bytes once decompressed)", failure(input).getMessage());
    }
}
