package dev.chanscope;

import java.io.PrintWriter;


/**
 * The one choke point for human-readable output: a PrintWriter that escapes, as
 * {@link SafeText} does, every character a terminal would act on. The CLI hands it to every
 * command as stdout and stderr, so reports written later are covered without knowing it.
 * Output that must stay exact (JSON) is written through {@link #exact}; chanscope's own
 * terminal sequences (the progress bar's carriage return and line erase) through
 * {@link #control}.
 */
public final class SafePrintWriter extends PrintWriter {
    private final PrintWriter exact;
    private final char[] scratch = new char[8192];

    public SafePrintWriter(PrintWriter exact) {
        super(exact, true);
        this.exact = exact;
    }

    /** The unfiltered writer behind {@code w} (for JSON), or {@code w} itself. */
    public static PrintWriter exact(PrintWriter w) {
        if (w instanceof SafePrintWriter s) {
            return s.exact;
        }
        return w;
    }

    /** Writes chanscope's own terminal control sequence (never input text) unescaped. */
    public static void control(PrintWriter w, String sequence) {
        exact(w).print(sequence);
    }

    @Override
    public void write(int c) {
        synchronized (lock) {
            put((char) c);
        }
    }

    @Override
    public void write(char[] buf, int off, int len) {
        synchronized (lock) {
            scan(buf, off, len);
        }
    }

    @Override
    public void write(String s, int off, int len) {
        synchronized (lock) {
            // copied out in pieces and scanned as an array: charAt per character was a third of
            // `goroutines` at 100,000 goroutines (issue 17)
            for (int at = off; at < off + len; at += scratch.length) {
                int n = Math.min(scratch.length, off + len - at);
                s.getChars(at, at + n, scratch, 0);
                scan(scratch, 0, n);
            }
        }
    }

    /** Writes the characters, each run of safe ones in one piece, escaping the rest. */
    private void scan(char[] buf, int off, int len) {
        int run = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            char c = buf[i];
            if (c < 0x7f && c >= 0x20 || c == '\n') {
                continue; // the common case, decided without a call
            }
            if (SafeText.unsafe(c)) {
                super.write(buf, run, i - run);
                put(c);
                run = i + 1;
            }
        }
        super.write(buf, run, end - run);
    }

    private void put(char c) {
        if (SafeText.unsafe(c)) {
            String e = SafeText.escaped(c);
            super.write(e, 0, e.length());
        } else {
            super.write(c);
        }
    }
}
