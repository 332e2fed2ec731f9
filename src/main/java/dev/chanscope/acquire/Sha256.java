package dev.chanscope.acquire;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of a stream of bytes, from the system's libcrypto when it is there (it is wherever
 * Debian's gdb is: gdb links it), else from Java. Why not always Java: chanscope runs with C1
 * only (scripts/jvm.options), and C1 does not use the CPU's SHA instructions, so hashing a
 * 377 MB core took 2.8 s in Java against 0.3 s in libcrypto (docs/performance.md). Same digest
 * either way; {@code Sha256Test} compares them.
 */
public sealed interface Sha256 extends AutoCloseable permits Sha256.Java, Sha256.Libcrypto {
    /** Inputs below this are hashed in Java: loading libcrypto costs more than it saves. */
    long NATIVE_FROM = 8L << 20;

    void update(byte[] bytes, int offset, int length);

    /** The digest; the hasher is spent afterwards. */
    byte[] digest();

    @Override
    void close();

    /** A hasher for about {@code size} bytes: native for big inputs when libcrypto loads. */
    static Sha256 forSize(long size) {
        if (size >= NATIVE_FROM) {
            Sha256 n = Libcrypto.open();
            if (n != null) {
                return n;
            }
        }
        return new Java();
    }

    /** The JDK's SHA-256. */
    final class Java implements Sha256 {
        private final MessageDigest md;

        public Java() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        @Override
        public void update(byte[] bytes, int offset, int length) {
            md.update(bytes, offset, length);
        }

        @Override
        public byte[] digest() {
            return md.digest();
        }

        @Override
        public void close() {
        }
    }

    /** libcrypto's EVP interface (OpenSSL 1.1 and 3 both export these). */
    final class Libcrypto implements Sha256 {
        interface Crypto extends Library {
            Pointer EVP_sha256();

            Pointer EVP_MD_CTX_new();

            void EVP_MD_CTX_free(Pointer ctx);

            int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

            int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

            int EVP_DigestFinal_ex(Pointer ctx, Pointer md, Pointer size);
        }

        private static final int CHUNK = 1 << 20;

        private final Crypto crypto;
        private final Pointer ctx;
        private final Memory chunk = new Memory(CHUNK);

        private Libcrypto(Crypto crypto, Pointer ctx) {
            this.crypto = crypto;
            this.ctx = ctx;
        }

        /** A native hasher, or null when libcrypto (or JNA's native part) is not there. */
        static Libcrypto open() {
            for (String name : new String[] {"libcrypto.so.3", "libcrypto.so.1.1", "crypto"}) {
                try {
                    Crypto c = com.sun.jna.Native.load(name, Crypto.class);
                    Pointer ctx = c.EVP_MD_CTX_new();
                    if (ctx == null) {
                        return null;
                    }
                    if (c.EVP_DigestInit_ex(ctx, c.EVP_sha256(), null) != 1) {
                        c.EVP_MD_CTX_free(ctx);
                        return null;
                    }
                    return new Libcrypto(c, ctx);
                } catch (LinkageError e) { // UnsatisfiedLinkError included: try the next name, then Java
                    continue;
                }
            }
            return null;
        }

        @Override
        public void update(byte[] bytes, int offset, int length) {
            for (int done = 0; done < length; ) {
                int n = Math.min(CHUNK, length - done);
                chunk.write(0, bytes, offset + done, n);
                if (crypto.EVP_DigestUpdate(ctx, chunk, n) != 1) {
                    throw new IllegalStateException("libcrypto's EVP_DigestUpdate failed");
                }
                done += n;
            }
        }

        @Override
        public byte[] digest() {
            Memory out = new Memory(64);
            if (crypto.EVP_DigestFinal_ex(ctx, out, null) != 1) {
                throw new IllegalStateException("libcrypto's EVP_DigestFinal_ex failed");
            }
            return out.getByteArray(0, 32);
        }

        @Override
        public void close() {
            crypto.EVP_MD_CTX_free(ctx);
            chunk.close(); // the native megabyte now, not when the collector gets to it
        }
    }
}
