package dev.chanscope.acquire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory of unpacked inputs: one sub-directory per input, named by the SHA-256 of the
 * input's bytes. Entries are created private (0700) because a core holds the dumped
 * process's memory: tokens, keys, customer data.
 */
final class CoreCache {
    private static final String PARTIAL_PREFIX = ".partial-";

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

    private static boolean intact(Path dir, Manifest m) {
        return hasSize(dir.resolve(m.core()), m.coreSize())
                && m.binary().map(b -> hasSize(dir.resolve(b), m.binarySize())).orElse(true);
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
            return;
        }
        try {
            dev.chanscope.fs.SafeFiles.createPrivateDirectories(root);
        } catch (IOException e) {
            throw cannotUse(e);
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
