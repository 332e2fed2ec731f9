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
        write(new String(buf, off, len), 0, len);
    }

    @Override
    public void write(String s, int off, int len) {
        synchronized (lock) {
            int run = off; // start of the current run of safe characters, written in one piece
            for (int i = off; i < off + len; i++) {
                if (SafeText.unsafe(s.charAt(i))) {
                    super.write(s, run, i - run);
                    put(s.charAt(i));
                    run = i + 1;
                }
            }
            super.write(s, run, off + len - run);
        }
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
