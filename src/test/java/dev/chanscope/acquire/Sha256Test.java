package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libcrypto's SHA-256 gives the JDK's digest, and is the one used for big inputs where gdb runs. */
class Sha256Test {
    @Test
    void libcryptoIsUsedForBigInputsHere() {
        // gdb links libcrypto on Debian, and CI installs gdb: a silent fall-back to Java would
        // bring back the 2.8 s per 377 MB this exists to avoid.
        try (Sha256 s = Sha256.forSize(Sha256.NATIVE_FROM)) {
            assertInstanceOf(Sha256.Libcrypto.class, s);
        }
        try (Sha256 s = Sha256.forSize(Sha256.NATIVE_FROM - 1)) {
            assertInstanceOf(Sha256.Java.class, s);
        }
    }

    @Test
    void sameDigestAsTheJdkForAnySplitOfTheBytes() throws Exception {
        Random r = new Random(17);
        for (int size : new int[] {0, 1, 55, 56, 64, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7}) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            byte[] want = MessageDigest.getInstance("SHA-256").digest(data);
            try (Sha256 s = Sha256.forSize(Sha256.NATIVE_FROM)) {
                int at = 0;
                while (at < size) { // uneven pieces, some larger than the native chunk
                    int n = Math.min(size - at, 1 + r.nextInt(3 << 20));
                    s.update(data, at, n);
                    at += n;
                }
                assertArrayEquals(want, s.digest(), "size " + size);
            }
        }
    }

    @Test
    void theCacheKeyOfABigFileIsItsSha256(@TempDir Path dir) throws Exception {
        byte[] data = new byte[(int) Sha256.NATIVE_FROM + 12345];
        new Random(3).nextBytes(data);
        Path f = dir.resolve("core");
        Files.write(f, data);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), ContentKey.sha256(f));
        // the well-known digest of "abc", through the native path
        try (Sha256 s = Sha256.forSize(Sha256.NATIVE_FROM)) {
            s.update("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 3);
            assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                    HexFormat.of().formatHex(s.digest()));
        }
    }
}
