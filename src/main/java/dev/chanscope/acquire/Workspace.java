package dev.chanscope.acquire;

import java.nio.file.Path;

/**
 * A cache entry under construction: a private ".partial-PID-…" directory that becomes the entry
 * by a single atomic rename once everything in it is complete. A run killed midway leaves only
 * a partial directory, which never looks like an entry and is swept by a later run.
 */
final class Workspace implements AutoCloseable {
    private final Path dir;
    private boolean published;

    Workspace(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** A path for a new file; names are chosen by chanscope, never taken from a bundle member. */
    Path file(String generatedName) {
        return dir.resolve(generatedName);
    }

    void markPublished() {
        published = true;
    }

    /** Removes what a failed or abandoned run wrote. */
    @Override
    public void close() {
        if (!published) {
            FileTrees.deleteQuietly(dir);
        }
    }
}
