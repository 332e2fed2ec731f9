package dev.chanscope.acquire;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns what the user gave (a core, a compressed core, a bundle with core and binary) into a
 * plain core file on disk, and the bundled binary when there is one. Formats are recognised by
 * magic bytes, never by name; decompression streams into a cache directory keyed by the
 * content hash of the input, so the next run reuses it. See docs/inputs.md.
 */
public final class Acquirer {
    private final Path cacheDir;
    private final long maxCoreSize;
    private final ProgressListener progress;

    /**
     * @param cacheDir     where decompressed files live ({@link #defaultCacheDir()} normally)
     * @param maxCoreSize  refuse to write more than this many bytes for one input (decompression bombs)
     * @param progress     told about long decompressions; {@link ProgressListener#NONE} for none
     */
    public Acquirer(Path cacheDir, long maxCoreSize, ProgressListener progress) {
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
        if (maxCoreSize <= 0) {
            throw new IllegalArgumentException("maxCoreSize must be positive, not " + maxCoreSize);
        }
        this.maxCoreSize = maxCoreSize;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /** $CHANSCOPE_CACHE, else $XDG_CACHE_HOME/chanscope, else ~/.cache/chanscope. */
    public static Path defaultCacheDir() {
        return defaultCacheDir(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultCacheDir(Map<String, String> env, String userHome) {
        String own = env.get("CHANSCOPE_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "chanscope");
        }
        return Path.of(userHome, ".cache", "chanscope");
    }

    /**
     * @throws dev.chanscope.ChanscopeException (BAD_INPUT) with a one-line message for a missing,
     *     empty, unreadable or malformed input, an unsafe bundle, or one over the size cap
     */
    public AcquiredInput acquire(Path input) {
        long size = InputCheck.requireNonEmptyFile(input);
        byte[] head = InputCheck.head(input);
        Format format = Format.detect(head, head.length);
        SystemdCoredumpName.parse(input).ifPresent(name -> progress.note(name.describe()));
        if (format.kind() == Format.Kind.PLAIN) {
            // An uncompressed core (or something the next stage will reject): use it in place.
            return new AcquiredInput(input, Optional.empty(), List.of(), input);
        }
        try {
            return unpack(input, size);
        } catch (InputFault fault) {
            throw InputCheck.bad(input + ": " + fault.getMessage());
        } catch (IOException e) {
            throw InputCheck.cannotRead(input, e);
        }
    }

    private AcquiredInput unpack(Path input, long size) throws IOException {
        CoreCache cache = new CoreCache(cacheDir);
        String key = ContentKey.sha256(input, size, progress, "checking " + input.getFileName());
        CoreCache.Lookup lookup = cache.lookup(key);
        if (lookup instanceof CoreCache.Hit hit) {
            progress.note("reusing " + input + " unpacked earlier: " + hit.entry().dir());
            hit.entry().manifest().notes().forEach(progress::note);
            return hit.entry().toInput(input);
        }
        if (lookup instanceof CoreCache.Damaged damaged) {
            progress.note("the cached copy of " + input + " in " + damaged.dir() + " was incomplete; unpacking again");
        }
        try (Workspace workspace = cache.begin()) {
            Manifest manifest = new Extraction(workspace, maxCoreSize, progress).run(input, size);
            CacheEntry entry = cache.publish(workspace, key, manifest);
            manifest.notes().forEach(progress::note);
            return entry.toInput(input);
        }
    }
}
