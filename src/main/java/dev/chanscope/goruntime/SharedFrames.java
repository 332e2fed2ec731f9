package dev.chanscope.goruntime;

/**
 * A goroutine's logical frames that are made of parts shared with other goroutines parked at
 * the same calls. {@link #sharingKey} is equal for two lists exactly when they hold the same
 * shared parts in the same order, hence the same frames: a report writes such a list's text
 * once and copies it (issue 17).
 */
public interface SharedFrames {
    /** A key with identity semantics over the shared parts (cheap to hash and compare). */
    Object sharingKey();
}
