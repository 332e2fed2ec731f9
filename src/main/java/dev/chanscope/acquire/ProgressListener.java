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
}
