package dev.chanscope.acquire;

/** Progress of a long operation, in bytes. */
public interface ProgressListener {
    ProgressListener NONE = (label, done, total) -> { };

    /** @param total -1 when unknown */
    void progress(String label, long done, long total);
}
