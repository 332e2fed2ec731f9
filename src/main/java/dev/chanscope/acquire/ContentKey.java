package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The cache key: SHA-256 of the input's bytes. Content, not path or mtime, so a core copied or
 * renamed still hits, and a new core downloaded over an old one's name never gets stale
 * results. It costs one extra read of the (compressed, so usually much smaller) input.
 */
public final class ContentKey {
    private ContentKey() {}

    /** SHA-256 of a file's bytes, as lower-case hex: the key the cache and the batch output share. */
    public static String sha256(Path input) throws IOException {
        return sha256(input, Files.size(input), ProgressListener.NONE, "");
    }

    static String sha256(Path input, long size, ProgressListener progress, String label) throws IOException {
        byte[] buffer = new byte[1 << 20];
        byte[] digest;
        try (Sha256 sha = Sha256.forSize(size);
             InputStream in = new ProgressStream(new ReadFaultStream(Files.newInputStream(input)),
                progress, label, size)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
            digest = sha.digest();
        }
        return HexFormat.of().formatHex(digest);
    }
}
