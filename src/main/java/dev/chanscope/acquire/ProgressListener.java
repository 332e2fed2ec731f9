package dev.chanscope.acquire;

/** Progress of a long operation, in bytes. */
public interface ProgressListener {
    ProgressListener NONE = (label, done, total) -> { };

    /** @param total -1 when unknown */
    void progress(String label, long done, long total);

    /**
     * A one-line remark the user should see, not an error: "reusing … unpacked earlier",
     * "skipped tar member 'x': a symbolic link …", which member became the core. Ignored unless
     * the caller overrides it, so a plain lambda listener keeps working.
     */
    default void note(String message) { }

    /**
     * A remark about the cache, not about the input (reuse, eviction): by default a note. A
     * report keeps {@link #note} but not these, so the same input reports the same either way.
     */
    default void cacheNote(String message) {
        note(message);
    }
}
