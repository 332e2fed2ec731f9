package dev.chanscope.acquire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory of unpacked inputs: one sub-directory per input, named by the SHA-256 of the
 * input's bytes. Entries are created private (0700) because a core holds the dumped
 * process's memory: tokens, keys, customer data.
 */
final class CoreCache {
    private static final String PARTIAL_PREFIX = ".partial-";
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /** The outcome of looking for an input's entry. */
    sealed interface Lookup permits Hit, Miss, Damaged {}

    record Hit(CacheEntry entry) implements Lookup {}

    record Miss() implements Lookup {}

    /** An entry was there but its files do not match its manifest; it has been removed. */
    record Damaged(Path dir) implements Lookup {}

    private final Path root;

    CoreCache(Path root) {
        this.root = root;
    }

    Lookup lookup(String key) {
        Path dir = root.resolve(key);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return new Miss();
        }
        Optional<Manifest> manifest = Manifest.read(dir.resolve(Manifest.FILE_NAME));
        if (manifest.isPresent() && intact(dir, manifest.get())) {
            touch(dir);
            return new Hit(new CacheEntry(dir, manifest.get()));
        }
        FileTrees.deleteQuietly(dir);
        return new Damaged(dir);
    }

    /** Starts a new entry in a private temporary directory inside the cache (same file system, so the final rename is atomic). */
    Workspace begin() throws InputFault {
        ensureRoot();
        sweepAbandoned();
        try {
            // createTempDirectory picks an unguessable name and, on POSIX, mode 0700.
            return new Workspace(Files.createTempDirectory(root, PARTIAL_PREFIX + ProcessHandle.current().pid() + "-"));
        } catch (IOException e) {
            throw cannotUse(e);
        }
    }

    /** Turns the workspace into the entry for {@code key} by one atomic rename. */
    CacheEntry publish(Workspace workspace, String key, Manifest manifest) throws InputFault {
        Path target = root.resolve(key);
        try {
            manifest.write(workspace.file(Manifest.FILE_NAME));
        } catch (IOException e) {
            throw InputFault.cacheWrite(workspace.file(Manifest.FILE_NAME), e);
        }
        try {
            Files.move(workspace.dir(), target, StandardCopyOption.ATOMIC_MOVE);
            workspace.markPublished();
            return new CacheEntry(target, manifest);
        } catch (IOException e) {
            // Another run unpacked the same input at the same time and finished first (the
            // rename fails with ENOTEMPTY): its entry has the same content, so use it and let
            // ours be deleted.
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && lookup(key) instanceof Hit hit) {
                return hit.entry();
            }
            throw cannotUse(e);
        }
    }

    /** Marks an entry used now: eviction goes by the entry directory's modification time (least recently used first). */
    private static void touch(Path dir) {
        try {
            Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // only the eviction order suffers
        }
    }

    /** One complete entry: its directory, its files' total size, when it was last used. */
    record Entry(Path dir, long bytes, FileTime lastUsed) {}

    /** The complete entries (directories named by a SHA-256), least recently used first. */
    List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> children = Files.list(root)) {
            for (Path dir : (Iterable<Path>) children::iterator) {
                if (!KEY.matcher(dir.getFileName().toString()).matches()
                        || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    out.add(new Entry(dir, treeSize(dir), Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS)));
                } catch (IOException e) {
                    // gone meanwhile (another run evicted it)
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing(Entry::lastUsed));
        return out;
    }

    /**
     * Deletes least recently used entries until the cache holds at most {@code maxBytes}
     * (apparent sizes, so a sparse core counts whole: the limit errs on the safe side). The
     * entry {@code keep} (the one in use) is never deleted.
     *
     * @return the entries deleted
     */
    List<Entry> evict(long maxBytes, Optional<Path> keep) {
        List<Entry> all = entries();
        long total = all.stream().mapToLong(Entry::bytes).sum();
        List<Entry> deleted = new ArrayList<>();
        for (Entry e : all) {
            if (total <= maxBytes) {
                break;
            }
            if (keep.isPresent() && keep.get().equals(e.dir())) {
                continue;
            }
            if (FileTrees.deleteQuietly(e.dir())) {
                total -= e.bytes();
                deleted.add(e);
            }
        }
        return deleted;
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    Path root() {
        return root;
    }

    /** Starts a workspace that will never be published (--no-cache): deleted when the run is done with it. */
    Workspace beginPrivate() throws InputFault {
        return begin();
    }

    private static boolean intact(Path dir, Manifest m) {
        return hasSize(dir.resolve(m.core()), m.coreSize())
                && m.binary().map(b -> hasSize(dir.resolve(b), m.binarySize())).orElse(true)
                && m.alternates().stream().allMatch(a -> hasSize(dir.resolve(a.file()), a.size()));
    }

    private static boolean hasSize(Path file, long size) {
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == size;
        } catch (IOException e) {
            return false;
        }
    }

    private void ensureRoot() throws InputFault {
        if (Files.isDirectory(root)) {
            requireOwnRoot();
            return;
        }
        try {
            dev.chanscope.fs.SafeFiles.createPrivateDirectories(root);
        } catch (IOException e) {
            throw cannotUse(e);
        }
    }

    /**
     * The cache root must be chanscope's user's own and writable by nobody else: chanscope often
     * runs as root, and a cache directory another user made (or can write to) could be
     * swapped for links under chanscope's feet.
     */
    private void requireOwnRoot() throws InputFault {
        long owner;
        int mode;
        long self;
        try {
            owner = ((Number) Files.getAttribute(root, "unix:uid")).longValue();
            mode = ((Number) Files.getAttribute(root, "unix:mode")).intValue();
            self = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (UnsupportedOperationException | IllegalArgumentException | ClassCastException | IOException e) {
            return; // not a Unix file system: nothing to check
        }
        if (owner != self) {
            throw new InputFault("the cache directory " + root + " belongs to uid " + owner + ", not to chanscope's"
                    + " user (uid " + self + "); set CHANSCOPE_CACHE to a directory of your own, or use --no-cache");
        }
        if ((mode & 0022) != 0) {
            throw new InputFault("the cache directory " + root + " can be written by other users (mode "
                    + Integer.toOctalString(mode & 07777) + "); make it private (chmod 700), set CHANSCOPE_CACHE to"
                    + " another directory, or use --no-cache");
        }
    }

    /**
     * Deletes partial directories whose run is gone (killed, crashed). The PID in the name tells
     * a dead run from one still working on another input, without guessing from ages.
     */
    private void sweepAbandoned() {
        long self = ProcessHandle.current().pid();
        try (Stream<Path> children = Files.list(root)) {
            children.filter(p -> p.getFileName().toString().startsWith(PARTIAL_PREFIX))
                    .filter(p -> {
                        long pid = partialOwner(p.getFileName().toString());
                        return pid != self && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                    })
                    .forEach(FileTrees::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            // Sweeping is housekeeping; a failure must not stop the analysis.
        }
    }

    /** @return the PID in ".partial-PID-…", or -1 (never alive) when the name is not ours */
    static long partialOwner(String name) {
        String rest = name.substring(PARTIAL_PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private InputFault cannotUse(Exception e) {
        return new InputFault("cannot use the cache directory " + root + " (" + InputFault.oneLine(e)
                + "); set CHANSCOPE_CACHE to a writable directory");
    }
}
