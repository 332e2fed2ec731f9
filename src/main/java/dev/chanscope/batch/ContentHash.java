package dev.chanscope.batch;

import dev.chanscope.acquire.ContentKey;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of a file's bytes: the key of a core in the batch output ({@code input.sha256}), the
 * acquisition cache's own {@link ContentKey}, so a renamed or re-copied core is still recognised
 * by {@code --resume}.
 */
final class ContentHash {
    private ContentHash() {
    }

    static String sha256(Path file) throws IOException {
        return ContentKey.sha256(file);
    }

    /** SHA-256 of a string (UTF-8), for shard keys. */
    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
