package dev.chanscope.cli;

import dev.chanscope.SafePrintWriter;
import dev.chanscope.acquire.ProgressListener;
import java.io.PrintWriter;

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
final class Progress implements ProgressListener {
    private final PrintWriter err;
    private final boolean tty = System.console() != null;
    private long lastDraw;
    private boolean drawn;

    Progress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void progress(String label, long done, long total) {
        long now = System.nanoTime();
        if (!tty || now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        drawn = true;
        String mb = String.format("%,d MB", done >> 20);
        if (total > 0) {
            int pct = (int) (100 * done / total);
            int w = pct / 5;
            SafePrintWriter.control(err, "\r");
            err.print(label + " [" + "#".repeat(w) + " ".repeat(20 - w) + "] " + pct + "% " + mb);
        } else {
            SafePrintWriter.control(err, "\r");
            err.print(label + " " + mb);
        }
        err.flush();
    }

    /** Every note, for the report (the JSON's input.notes, the text's NOTES): not only for a terminal. */
    private final java.util.List<String> notes = new java.util.ArrayList<>();

    java.util.List<String> notes() {
        synchronized (notes) {
            return java.util.List.copyOf(notes);
        }
    }

    @Override
    public void note(String message) {
        synchronized (notes) {
            notes.add(message);
        }
        show(message);
    }

    @Override
    public void cacheNote(String message) {
        show(message);
    }

    private void show(String message) {
        // Notes (cache reuse, skipped bundle members) are for a person at a terminal; scripts get
        // only the report on stdout and errors on stderr.
        if (!tty) {
            return;
        }
        if (drawn) {
            SafePrintWriter.control(err, "\r\033[K");
        }
        err.println("chanscope: " + message);
        err.flush();
    }

    void done() {
        if (drawn) {
            SafePrintWriter.control(err, "\r\033[K");
            err.flush();
        }
    }
}
