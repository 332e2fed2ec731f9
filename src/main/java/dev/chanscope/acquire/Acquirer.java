package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
public final class Acquirer implements AutoCloseable {
    /** The default limit on the cache's size: 16 GiB of unpacked files (apparent sizes). */
    public static final long DEFAULT_CACHE_LIMIT = 16L << 30;
    /** Environment variable overriding {@link #DEFAULT_CACHE_LIMIT} (a size: bytes, or with K, M, G, T). */
    public static final String CACHE_LIMIT_ENV = "CHANSCOPE_CACHE_MAX";

    private final Path cacheDir;
    private final long maxCoreSize;
    private final ProgressListener progress;
    private final boolean keep;
    private final long cacheLimit;
    /** Unpacked inputs of this run that are not kept (--no-cache), deleted by {@link #close()}. */
    private final List<Workspace> temporary = new ArrayList<>();

    /**
     * @param cacheDir     where decompressed files live ({@link #defaultCacheDir()} normally)
     * @param maxCoreSize  refuse to write more than this many bytes for one input (decompression bombs)
     * @param progress     told about long decompressions; {@link ProgressListener#NONE} for none
     */
    public Acquirer(Path cacheDir, long maxCoreSize, ProgressListener progress) {
        this(cacheDir, maxCoreSize, progress, true, DEFAULT_CACHE_LIMIT);
    }

    /**
     * @param keep        false for --no-cache: inputs are unpacked into a private directory that
     *                    {@link #close()} deletes, nothing is looked up or kept
     * @param cacheLimit  after adding an entry, least recently used entries are deleted until the
     *                    cache holds at most this many bytes
     */
    public Acquirer(Path cacheDir, long maxCoreSize, ProgressListener progress, boolean keep, long cacheLimit) {
        this.keep = keep;
        this.cacheLimit = cacheLimit;
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
        if (maxCoreSize <= 0) {
            throw new IllegalArgumentException("maxCoreSize must be positive, not " + maxCoreSize);
        }
        this.maxCoreSize = maxCoreSize;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * $CHANSCOPE_CACHE, else $XDG_CACHE_HOME/chanscope, else $HOME/.cache/chanscope, else the
     * home directory Java found (user.home), else TMPDIR/chanscope-cache-UID. The environment comes first: a user without a home
     * in passwd (a container's arbitrary uid) has user.home "?", but usually a HOME.
     */
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
        String home = env.get("HOME");
        if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
            return Path.of(home, ".cache", "chanscope");
        }
        if (userHome != null && !userHome.isBlank() && Path.of(userHome).isAbsolute()) {
            return Path.of(userHome, ".cache", "chanscope");
        }
        // No home at all: a per-user directory in the temporary directory. CoreCache refuses it
        // if someone else made it first (it must be this user's and private).
        String uid;
        try {
            uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        } catch (IOException | RuntimeException e) {
            uid = System.getProperty("user.name", "user");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "chanscope-cache-" + uid);
    }

    /**
     * The data of a compressed file with every compression layer removed, decoded only as far
     * as it is read (for {@code --binary-search}, which needs the first few KB of each
     * candidate). Closing it closes the decoders and the file.
     *
     * @throws IOException when the file cannot be read or its first layer is damaged
     */
    public static InputStream openDecompressed(Path file) throws IOException {
        return Peeler.peelFile(file).stream(); // the reader stops early; no file is written
    }

    /** The cache limit from $CHANSCOPE_CACHE_MAX, else {@link #DEFAULT_CACHE_LIMIT}; {@code parse} reads a size. */
    public static long cacheLimit(java.util.function.ToLongFunction<String> parse) {
        String v = System.getenv(CACHE_LIMIT_ENV);
        return v == null || v.isBlank() ? DEFAULT_CACHE_LIMIT : parse.applyAsLong(v);
    }

    /** What {@code chanscope cache prune} reports. */
    public record PruneResult(Path dir, int entriesBefore, long bytesBefore, int deleted, long bytesDeleted) {}

    /** Deletes least recently used entries until the cache holds at most {@code limit} bytes (0: everything). */
    public static PruneResult prune(Path cacheDir, long limit) {
        CoreCache cache = new CoreCache(cacheDir);
        List<CoreCache.Entry> before = cache.entries();
        List<CoreCache.Entry> deleted = cache.evict(limit, Optional.empty());
        return new PruneResult(cacheDir, before.size(), before.stream().mapToLong(CoreCache.Entry::bytes).sum(),
                deleted.size(), deleted.stream().mapToLong(CoreCache.Entry::bytes).sum());
    }

    /** Deletes what this run unpacked without keeping it (--no-cache). */
    @Override
    public void close() {
        synchronized (temporary) {
            temporary.forEach(Workspace::close);
            temporary.clear();
        }
    }

    /**
     * Checks that {@code path} names a file chanscope can read, saying what is wrong otherwise
     * (not found, a dangling link, a directory, a FIFO, a device, unreadable, empty).
     *
     * @param role how the message names it ("binary", or empty)
     */
    public static void checkInputFile(Path path, String role) {
        try {
            InputCheck.requireNonEmptyFile(path);
            if (!Files.isReadable(path)) {
                throw InputCheck.bad("cannot read " + path + ": permission denied");
            }
        } catch (dev.chanscope.ChanscopeException e) {
            throw role.isEmpty() ? e : new dev.chanscope.ChanscopeException(e.exitCode(), role + " " + e.getMessage(), e);
        }
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
        if (!keep) {
            Workspace workspace = cache.beginPrivate();
            synchronized (temporary) {
                temporary.add(workspace);
            }
            Manifest manifest = new Extraction(workspace, maxCoreSize, progress).run(input, size);
            manifest.notes().forEach(progress::note);
            return new CacheEntry(workspace.dir(), manifest).toInput(input);
        }
        String key = ContentKey.sha256(input, size, progress, "checking " + input.getFileName());
        CoreCache.Lookup lookup = cache.lookup(key);
        if (lookup instanceof CoreCache.Hit hit) {
            progress.cacheNote("reusing " + input + " unpacked earlier: " + hit.entry().dir());
            hit.entry().manifest().notes().forEach(progress::note);
            return hit.entry().toInput(input);
        }
        if (lookup instanceof CoreCache.Damaged damaged) {
            progress.cacheNote("the cached copy of " + input + " in " + damaged.dir() + " was incomplete; unpacking again");
        }
        try (Workspace workspace = cache.begin()) {
            Manifest manifest = new Extraction(workspace, maxCoreSize, progress).run(input, size);
            CacheEntry entry = cache.publish(workspace, key, manifest);
            manifest.notes().forEach(progress::note);
            for (CoreCache.Entry gone : cache.evict(cacheLimit, Optional.of(entry.dir()))) {
                progress.cacheNote("cache over its limit of " + cacheLimit + " bytes: deleted " + gone.dir().getFileName()
                        + " (" + gone.bytes() + " bytes, last used " + gone.lastUsed() + ")");
            }
            return entry.toInput(input);
        }
    }
}
