package dev.chanscope.log;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the Go crashes in a log and parses each as the runtime printed it. The formats are
 * those of runtime/panic.go (printpanics), runtime/traceback.go (goroutineheader, traceback2,
 * printcreatedby1) and runtime/signal_unix.go (sighandler) of Go 1.18 to 1.27:
 *
 * <ul>
 * <li>{@code panic: V}, {@code panic: V [recovered]}, 1.23+ {@code [recovered, repanicked]}; a
 * chain's later panics start with a tab; a multi-line value continues with tab-indented lines;</li>
 * <li>{@code fatal error: MSG} (throw), {@code SIGABRT: abort} + {@code PC=0x.. m=N sigcode=N
 * [addr=0x..]} (a fatal signal; GOTRACEBACK=crash repeats it for every M after {@code -----}),
 * {@code [signal SIGSEGV: segmentation violation code=.. addr=.. pc=..]} under a panic;</li>
 * <li>{@code goroutine N [state, M minutes, locked to thread]:}, 1.24+ {@code goroutine N gp=0x..
 * m=N mp=0x.. [state]:} (system level, or the throwing goroutine), {@code (scan)}, {@code
 * (durable)}, {@code , synctest bubble N}, pprof labels {@code {k: v}} (1.27);</li>
 * <li>frames {@code fn(args)} + {@code \tfile:line +0xoff [fp=.. sp=.. pc=..]}, inlined calls
 * {@code fn(...)} without offset, {@code ...additional frames elided...}, 1.21+ {@code ...N
 * frames elided...}, {@code created by F} (1.21+: {@code in goroutine N});</li>
 * <li>{@code runtime stack:} (the g0 stack of a throw) and {@code [originating from goroutine
 * N]:} (tracebackancestors), whose frames are not the goroutine's and are skipped.</li>
 * </ul>
 *
 * A new crash starts at a panic, a fatal error or a signal header that follows goroutines
 * (except a signal after {@code -----}, which GOTRACEBACK=crash prints for each M of the same
 * crash). A panic printed right after a stack, without the blank line, is another goroutine of
 * the same process that panicked at the same moment (both print; captured on Go 1.20 and 1.21
 * with recovered-repanic): it is merged into the crash before it. Lines the runtime does not
 * print (the program's own log lines) are skipped.
 */
public final class TracebackParser {
    private static final Pattern PANIC = Pattern.compile("^(\\t?)panic: (.*?)( \\[recovered(?:, repanicked)?\\])?$");
    private static final Pattern FATAL = Pattern.compile("^fatal error: (.*)$");
    /** fatalsignal: {@code sigtable[sig].name} ("SIGABRT: abort"), or {@code Signal N} for a number beyond the table. */
    private static final Pattern SIGNAL = Pattern.compile("^(?:(SIG[A-Z0-9]+): (.+)|(Signal \\d+))$");
    private static final Pattern SIGNAL_PC = Pattern.compile("^PC=0x[0-9a-f]+ m=-?\\d+ sigcode=.*$");
    /** printpanics' {@code [signal SIGSEGV: segmentation violation code=.. addr=.. pc=..]}, or {@code [signal 0x1f code=...]}. */
    private static final Pattern SIGNAL_INLINE = Pattern.compile(
            "^\\[signal (SIG[A-Z0-9]+|0x[0-9a-f]+):? ?([^\\]]*?)((?: code=| addr=| pc=).*)?\\]$");
    private static final Pattern HEADER = Pattern.compile(
            "^goroutine (\\d+)((?: gp=0x[0-9a-f]+)?(?: m=(?:nil|\\d+))?(?: mp=0x[0-9a-f]+)?) \\[(.*)\\](?: \\{.*\\})?:$");
    private static final Pattern MINUTES = Pattern.compile(", (\\d+) minutes");
    private static final Pattern FRAME_FILE = Pattern.compile(
            "^\\s+(\\S.*):(\\d+)(?: \\+0x([0-9a-f]+))?(?: fp=0x([0-9a-f]+) sp=0x([0-9a-f]+) pc=0x([0-9a-f]+))?$");
    private static final Pattern CREATED = Pattern.compile("^created by (.+?)(?: in goroutine (\\d+))?$");
    private static final Pattern ELIDED = Pattern.compile("^\\.\\.\\.(?:additional|\\d+) frames elided\\.\\.\\.$");
    private static final Pattern REGISTER = Pattern.compile("^[a-z][a-z0-9]*\\s+0x[0-9a-f]+$");

    private TracebackParser() {
    }

    /** Every crash in {@code text}, the last one first. */
    public static List<Traceback> parse(String text) {
        return parse(LogText.lines(text));
    }

    public static List<Traceback> parse(List<LogText.Line> lines) {
        List<Traceback> out = new ArrayList<>();
        Builder cur = null;
        String previous = "";
        String lastRaw = "";
        for (LogText.Line l : lines) {
            String s = l.text();
            Matcher m;
            if ((m = PANIC.matcher(s)).matches()) {
                boolean chained = !m.group(1).isEmpty();
                if (cur == null || !chained && cur.started()) {
                    // No blank line between the last crash's stack and this panic: another goroutine
                    // of the same process panicked at the same time and printed after it.
                    boolean concurrent = cur != null && cur.mode == Mode.GOROUTINE && FRAME_FILE.matcher(lastRaw).matches();
                    cur = finish(out, cur, l.number());
                    cur.concurrent = concurrent;
                }
                if (!chained && !cur.panics.isEmpty() && !cur.started()) {
                    // a second panic chain before any stack: another goroutine of the same process
                    // (GOTRACEBACK=none prints only the chains); the first one printed is kept
                    cur.otherChain = true;
                    continue;
                }
                if (chained && cur.otherChain) {
                    continue;
                }
                String suffix = m.group(3) == null ? "" : m.group(3);
                cur.panics.add(new Traceback.PanicLine(m.group(2), suffix.contains("recovered"),
                        suffix.contains("repanicked")));
                cur.mode = Mode.PANIC_VALUE;
            } else if ((m = FATAL.matcher(s)).matches()) {
                if (cur == null || cur.started() || cur.fatal != null) {
                    cur = finish(out, cur, l.number());
                }
                cur.fatal = m.group(1);
                cur.mode = Mode.NONE;
            } else if ((m = SIGNAL.matcher(s)).matches() && !s.startsWith("SIGNAL")) {
                if (cur == null || cur.started() && !previous.equals("-----")) {
                    cur = finish(out, cur, l.number());
                }
                cur.signals.add(m.group(3) != null ? new Traceback.Signal(m.group(3), "", "")
                        : new Traceback.Signal(m.group(1), m.group(2), ""));
                cur.mode = Mode.NONE;
            } else if (cur != null && SIGNAL_PC.matcher(s).matches() && !cur.signals.isEmpty()) {
                Traceback.Signal last = cur.signals.remove(cur.signals.size() - 1);
                cur.signals.add(new Traceback.Signal(last.name(), last.description(), s));
            } else if (cur != null && (m = SIGNAL_INLINE.matcher(s)).matches()) {
                cur.signals.add(new Traceback.Signal(m.group(1), m.group(2).strip(),
                        m.group(3) == null ? "" : m.group(3).strip()));
            } else if ((m = HEADER.matcher(s)).matches()) {
                if (cur == null) {
                    cur = finish(out, null, l.number());
                }
                cur.header(m, l.number());
            } else if (cur == null) {
                // text before the first crash
            } else if (s.equals("runtime stack:") || s.startsWith("[originating from goroutine ")) {
                cur.closeGoroutine();
                cur.mode = Mode.SKIP;
            } else if (cur.mode == Mode.PANIC_VALUE && s.startsWith("\t") && !cur.panics.isEmpty()) {
                // printindented: a multi-line panic value goes on with tab-indented lines
                Traceback.PanicLine p = cur.panics.remove(cur.panics.size() - 1);
                cur.panics.add(new Traceback.PanicLine(p.message() + "\n" + s.substring(1), p.recovered(), p.repanicked()));
            } else if (cur.mode == Mode.GOROUTINE || cur.mode == Mode.SKIP) {
                cur.body(s, l.number());
            }
            if (!s.isBlank()) {
                previous = s;
            }
            lastRaw = s;
        }
        finish(out, cur, -1);
        Collections.reverse(out);
        return List.copyOf(out);
    }

    private static Builder finish(List<Traceback> out, Builder cur, int nextStart) {
        if (cur != null) {
            Traceback t = cur.build();
            if (!out.isEmpty() && (cur.concurrent || concurrent(out.get(out.size() - 1), t)) && t.crashing().isPresent()) {
                out.set(out.size() - 1, merge(out.get(out.size() - 1), t));
            } else if (!t.panics().isEmpty() || t.fatalError().isPresent() || !t.signals().isEmpty()
                    || !t.goroutines().isEmpty()) {
                out.add(t);
            }
        }
        return nextStart < 0 ? null : new Builder(nextStart);
    }

    /**
     * A second panic of the same process: its goroutine is listed in the crash before it as
     * running on another thread with its stack unavailable (two goroutines panicked at once; the
     * runtime printed the first crash, then the other goroutine's panic and stack).
     */
    private static boolean concurrent(Traceback before, Traceback t) {
        return !t.panics().isEmpty() && t.crashing().map(g -> before.goroutines().stream()
                .anyMatch(b -> b.id() == g.id() && b.unavailable())).orElse(false);
    }

    private static Traceback merge(Traceback before, Traceback t) {
        TracebackGoroutine late = t.crashing().orElseThrow();
        List<TracebackGoroutine> gs = new ArrayList<>();
        boolean replaced = false;
        for (TracebackGoroutine g : before.goroutines()) {
            boolean here = g.id() == late.id() && g.unavailable();
            gs.add(here ? late : g);
            replaced |= here;
        }
        if (!replaced) {
            gs.add(late);
        }
        List<Long> also = new ArrayList<>(before.alsoPanicking());
        also.add(late.id());
        return new Traceback(before.panics(), before.fatalError(), before.signals(), List.copyOf(gs), before.firstLine(),
                t.lastLine(), List.copyOf(also));
    }

    private enum Mode { NONE, PANIC_VALUE, GOROUTINE, SKIP }

    /** The crash being read. */
    private static final class Builder {
        final int first;
        int last;
        final List<Traceback.PanicLine> panics = new ArrayList<>();
        String fatal;
        final List<Traceback.Signal> signals = new ArrayList<>();
        final List<TracebackGoroutine> goroutines = new ArrayList<>();
        Mode mode = Mode.NONE;
        /** this panic was printed right after another crash's stack, by the same process */
        boolean concurrent;
        /** a second panic chain of the same process is being skipped */
        boolean otherChain;
        // the goroutine being read
        Matcher header;
        final List<TracebackFrame> frames = new ArrayList<>();
        String pendingFunction;
        String pendingArgs;
        String createdFunction;
        long createdParent;
        TracebackGoroutine.CreatedBy createdBy;
        boolean elided;
        boolean unavailable;

        Builder(int first) {
            this.first = first;
            this.last = first;
        }

        /** True once goroutines (or signal sections) were read: a new panic is another crash. */
        boolean started() {
            return !goroutines.isEmpty() || header != null;
        }

        void header(Matcher m, int line) {
            closeGoroutine();
            header = m;
            mode = Mode.GOROUTINE;
            last = line;
        }

        void body(String s, int line) {
            Matcher m;
            if (mode == Mode.SKIP) {
                return;
            }
            last = line;
            if ((m = FRAME_FILE.matcher(s)).matches()) {
                OptionalLong off = hex(m.group(3));
                if (createdFunction != null) {
                    createdBy = new TracebackGoroutine.CreatedBy(createdFunction, createdParent, m.group(1),
                            number(m.group(2)), off);
                    createdFunction = null;
                } else if (pendingFunction != null) {
                    frames.add(new TracebackFrame(pendingFunction, pendingArgs, m.group(1), number(m.group(2)),
                            off, hex(m.group(4)), hex(m.group(5)), hex(m.group(6))));
                    pendingFunction = null;
                }
            } else if ((m = CREATED.matcher(s)).matches()) {
                createdFunction = m.group(1);
                createdParent = m.group(2) == null ? 0 : longNumber(m.group(2));
            } else if (ELIDED.matcher(s).matches()) {
                elided = true;
            } else if (s.strip().equals("goroutine running on other thread; stack unavailable")) {
                unavailable = true;
            } else if (s.isBlank() || s.equals("-----") || REGISTER.matcher(s).matches()) {
                pendingFunction = null;
            } else if (s.endsWith(")") && !s.startsWith("\t") && !s.startsWith(" ")) {
                int open = s.lastIndexOf('(');
                if (open > 0) {
                    pendingFunction = s.substring(0, open);
                    pendingArgs = s.substring(open + 1, s.length() - 1);
                }
            }
        }

        void closeGoroutine() {
            if (header == null) {
                return;
            }
            String state = header.group(3);
            int minutes = 0;
            Matcher mm = MINUTES.matcher(state);
            if (mm.find()) {
                minutes = number(mm.group(1));
            }
            boolean locked = state.contains(", locked to thread");
            boolean scan = state.contains(" (scan)");
            // the status or wait reason comes first; everything after it is a suffix the runtime adds
            String base = state.replaceAll(", \\d+ minutes", "").replace(", locked to thread", "")
                    .replace(" (scan)", "").replaceAll(", synctest bubble \\d+", "").replace(" (leaked)", "");
            String extra = header.group(2);
            OptionalLong gp = OptionalLong.empty();
            int m = -1;
            Matcher g = Pattern.compile("gp=0x([0-9a-f]+)").matcher(extra);
            if (g.find()) {
                gp = hex(g.group(1));
            }
            Matcher mid = Pattern.compile(" m=(\\d+)").matcher(extra);
            if (mid.find()) {
                m = number(mid.group(1));
            }
            goroutines.add(new TracebackGoroutine(longNumber(header.group(1)), gp, m, base.strip(), scan, minutes,
                    locked, List.copyOf(frames), Optional.ofNullable(createdBy), elided, unavailable));
            header = null;
            frames.clear();
            pendingFunction = null;
            createdFunction = null;
            createdBy = null;
            elided = false;
            unavailable = false;
        }

        Traceback build() {
            closeGoroutine();
            return new Traceback(List.copyOf(panics), Optional.ofNullable(fatal), List.copyOf(signals),
                    List.copyOf(goroutines), first, last, List.of());
        }
    }

    /** A decimal the runtime printed; a damaged log's overlong one reads as the largest value, never an exception. */
    static int number(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    static long longNumber(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static OptionalLong hex(String s) {
        if (s == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(s, 16));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
