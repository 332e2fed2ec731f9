package dev.chanscope.batch;

/** Told how a batch advances (the progress bar). Called from the batch's threads, one call at a time. */
public interface BatchListener {
    /** How a core was settled. */
    enum How {
        /** Analyzed (or failed, or timed out) in this run. */
        ANALYZED,
        /** Its content hash already had a line in the output ({@code --resume}). */
        RESUMED,
        /** Another input of this run had the same content; it was analyzed once. */
        DUPLICATE
    }

    void started(int cores);

    /** @param outcome the core's outcome; for a duplicate, the outcome of its first copy is not known yet, so null */
    void settled(How how, CoreOutcome outcome);

    void finished();

    BatchListener NONE = new BatchListener() {
        @Override
        public void started(int cores) {
        }

        @Override
        public void settled(How how, CoreOutcome outcome) {
        }

        @Override
        public void finished() {
        }
    };
}
