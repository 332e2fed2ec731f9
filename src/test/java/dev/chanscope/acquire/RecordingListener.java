package dev.chanscope.acquire;

import java.util.ArrayList;
import java.util.List;

/** Keeps what an Acquirer reported, for assertions. */
final class RecordingListener implements ProgressListener {
    record Progress(String label, long done, long total) {}

    final List<Progress> progress = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    @Override
    public void progress(String label, long done, long total) {
        progress.add(new Progress(label, done, total));
    }

    @Override
    public void note(String message) {
        notes.add(message);
    }

    boolean noted(String fragment) {
        return notes.stream().anyMatch(n -> n.contains(fragment));
    }
}
