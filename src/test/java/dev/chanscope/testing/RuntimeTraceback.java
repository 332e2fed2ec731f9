package dev.chanscope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go runtime's own crash report (stderr of a program run with {@code GOTRACEBACK=crash}),
 * parsed into records. It is the oracle the unwinder and the snapshot are checked against.
 *
 * <p>What the runtime prints, and what this parser keeps:
 *
 * <ul>
 *   <li>the panic chain, oldest first: {@code panic: msg}, {@code panic: msg [recovered]} followed
 *       by {@code \tpanic: msg2} (Go up to 1.24), {@code panic: msg [recovered, repanicked]} (Go
 *       1.25 and later, printed once), and the {@code [signal SIGSEGV: ...]} line of a fault;
 *   <li>{@code fatal error: ...} of a throw;
 *   <li>signal sections: {@code SIGABRT: abort} / {@code SIGQUIT: quit} with their {@code PC=0x..
 *       m=N sigcode=N [addr=0x..]} line and the register dump ({@code rax 0x...}); the runtime
 *       relays SIGQUIT to every other M, separated by {@code -----}, and each prints its own stack;
 *   <li>goroutine sections: {@code goroutine N gp=0x.. m=N|nil mp=0x.. [status, N minutes, locked to
 *       thread]:} (older Go prints {@code goroutine N [status]:}); {@code goroutine 0 ...} and
 *       {@code runtime stack:} are g0 (system stack) sections of an M, marked {@link
 *       Goroutine#g0()};
 *   <li>frames: a function line ({@code pkg.f(args)}; inlined frames print {@code (...)} and have
 *       no {@code +0x} offset and no pc) then {@code \tfile:line +0xNN fp=.. sp=.. pc=..};
 *       {@code runtime.gopanic} is printed as {@code panic} and normalized back;
 *   <li>{@code ...N frames elided...} (Go 1.21 and later: in the middle of the stack) and {@code
 *       ...additional frames elided...} (older Go: at the end);
 *   <li>{@code \tgoroutine running on other thread; stack unavailable};
 *   <li>{@code created by pkg.f in goroutine N} and its {@code \tfile:line +0xNN}.
 * </ul>
 *
 * Lines it does not recognise are kept in {@link #otherLines()}.
 */
public record RuntimeTraceback(
        List<Panic> panics,
        Optional<String> faultSignal,
        Optional<String> fatalError,
        List<Signal> signals,
        List<Goroutine> sections,
        List<String> otherLines) {

    /** One entry of the panic chain. {@code message} has the recovered suffixes removed. */
    public record Panic(String message, boolean recovered, boolean repanicked, String raw) {}

    /**
     * A signal section header ({@code SIGQUIT: quit}, {@code PC=0x.. m=N sigcode=N}) and the
     * registers dumped for that M.
     */
    public record Signal(
            String name,
            String description,
            Long pc,
            Long m,
            String sigcode,
            Long addr,
            Map<String, Long> registers) {}

    /** One printed frame. {@code entryOffset}, {@code fp}, {@code sp}, {@code pc} are null when not printed. */
    public record Frame(
            String rawFunction,
            String function,
            String args,
            boolean inlined,
            String file,
            int line,
            Long entryOffset,
            Long fp,
            Long sp,
            Long pc) {

        /** The function name without the package path, e.g. {@code (*Pool[...]).Go}. */
        public String shortName() {
            int slash = function.lastIndexOf('/');
            String rest = function.substring(slash + 1);
            int dot = rest.indexOf('.');
            return dot < 0 ? rest : rest.substring(dot + 1);
        }

        public boolean isRuntime() {
            return function.startsWith("runtime.") || function.startsWith("internal/runtime/");
        }
    }

    /** {@code created by F in goroutine N} with its file:line; parent is 0 when not printed. */
    public record CreatedBy(String rawFunction, String function, long parentGoroutine, String file, int line, Long entryOffset) {}

    /**
     * A goroutine section. {@code status} is the text inside the brackets with the {@code , N
     * minutes} and {@code , locked to thread} suffixes removed; {@code rawStatus} keeps it all.
     * {@code elidedFrames} is the N of {@code ...N frames elided...} and {@code elidedAt} the
     * index in {@code frames} where they were left out (-1 when nothing was elided); {@code
     * truncated} is set by {@code ...additional frames elided...}. {@code signal} is the index in
     * {@link #signals()} of the signal section this goroutine was printed in, or -1.
     */
    public record Goroutine(
            long id,
            String header,
            Long gp,
            Long m,
            Long mp,
            String status,
            String rawStatus,
            int waitMinutes,
            boolean lockedToThread,
            boolean g0,
            List<Frame> frames,
            int elidedFrames,
            int elidedAt,
            boolean truncated,
            boolean stackUnavailable,
            Optional<CreatedBy> createdBy,
            int signal) {

        /** The frames that are not in package runtime. */
        public List<Frame> userFrames() {
            return frames.stream().filter(f -> !f.isRuntime()).toList();
        }

        public Optional<Frame> firstFrame(String function) {
            return frames.stream().filter(f -> f.function().equals(function)).findFirst();
        }
    }

    public static RuntimeTraceback parse(Path stderr) throws IOException {
        return parse(Files.readString(stderr, StandardCharsets.UTF_8));
    }

    public static RuntimeTraceback parse(String text) {
        return new Parser().parse(text);
    }

    /** The goroutine sections (g0 sections left out). */
    public List<Goroutine> goroutines() {
        return sections.stream().filter(g -> !g.g0()).toList();
    }

    /** The g0 sections: {@code goroutine 0 ...} of each M, {@code runtime stack:}. */
    public List<Goroutine> g0Sections() {
        return sections.stream().filter(Goroutine::g0).toList();
    }

    public Optional<Goroutine> goroutine(long id) {
        return goroutines().stream().filter(g -> g.id() == id).findFirst();
    }

    /** The goroutine that panicked: the first section printed after the panic lines. */
    public Optional<Goroutine> panicking() {
        if (panics.isEmpty() || sections.isEmpty() || sections.get(0).g0()) {
            return Optional.empty();
        }
        return Optional.of(sections.get(0));
    }

    /** The message of the newest panic (the last line of the chain), if any. */
    public Optional<String> panicMessage() {
        return panics.isEmpty() ? Optional.empty() : Optional.of(panics.get(panics.size() - 1).message());
    }

    // ---------------------------------------------------------------------------------------

    static final Pattern HEADER = Pattern.compile(
            "^goroutine (\\d+)(?: gp=(0x[0-9a-f]+))?(?: m=(\\d+|nil))?(?: mp=(0x[0-9a-f]+))? \\[(.*)\\]:?$");
    private static final Pattern EMBEDDED_HEADER = Pattern.compile(
            "^(.*?)\\s*(goroutine \\d+(?: gp=0x[0-9a-f]+)?(?: m=(?:\\d+|nil))?(?: mp=0x[0-9a-f]+)? \\[[^\\]]*\\]:?)$");
    private static final Pattern FILE_LINE = Pattern.compile(
            "^\\t(.*):(\\d+)(?: \\+0x([0-9a-f]+))?(?: fp=0x([0-9a-f]+) sp=0x([0-9a-f]+) pc=0x([0-9a-f]+))?\\s*$");
    private static final Pattern CREATED_BY = Pattern.compile("^created by (.+?)(?: in goroutine (\\d+))?$");
    private static final Pattern ELIDED = Pattern.compile("^\\.\\.\\.(\\d+) frames elided\\.\\.\\.$");
    private static final Pattern SIGNAL = Pattern.compile("^(SIG[A-Z0-9]+|signal \\d+): (.*)$");
    private static final Pattern SIGNAL_PC = Pattern.compile(
            "^PC=0x([0-9a-f]+) m=(\\d+) sigcode=(\\S+)(?: addr=0x([0-9a-f]+))?.*$");
    private static final Pattern REGISTER = Pattern.compile("^([a-z][a-z0-9]*)\\s+0x([0-9a-f]+)$");
    private static final Pattern WAIT_MINUTES = Pattern.compile(", (\\d+) minutes");

    /** The function name of a traceback function line: the line without its argument list. */
    static String stripArgs(String raw) {
        if (!raw.endsWith(")")) {
            return raw;
        }
        int depth = 0;
        for (int i = raw.length() - 1; i >= 0; i--) {
            char c = raw.charAt(i);
            if (c == ')') {
                depth++;
            } else if (c == '(') {
                if (--depth == 0) {
                    return raw.substring(0, i);
                }
            }
        }
        return raw;
    }

    /** Undoes the runtime's printing of {@code runtime.gopanic} as {@code panic}. */
    static String normalize(String printed) {
        return printed.equals("panic") ? "runtime.gopanic" : printed;
    }

    private static Long hex(String s) {
        return s == null ? null : Long.parseUnsignedLong(s, 16);
    }

    private static final class SectionBuilder {
        long id;
        String header;
        Long gp;
        Long m;
        Long mp;
        String rawStatus;
        boolean g0;
        final List<Frame> frames = new ArrayList<>();
        int elided;
        int elidedAt = -1;
        boolean truncated;
        boolean unavailable;
        CreatedBy createdBy;
        int signal;

        Goroutine build() {
            String status = rawStatus;
            int minutes = 0;
            Matcher wm = WAIT_MINUTES.matcher(status);
            if (wm.find()) {
                minutes = Integer.parseInt(wm.group(1));
                status = status.substring(0, wm.start()) + status.substring(wm.end());
            }
            boolean locked = status.contains(", locked to thread");
            status = status.replace(", locked to thread", "");
            return new Goroutine(id, header, gp, m, mp, status, rawStatus, minutes, locked, g0,
                    List.copyOf(frames), elided, elidedAt, truncated, unavailable,
                    Optional.ofNullable(createdBy), signal);
        }
    }

    private static final class SignalBuilder {
        String name;
        String description;
        Long pc;
        Long m;
        String sigcode;
        Long addr;
        final Map<String, Long> registers = new LinkedHashMap<>();

        Signal build() {
            return new Signal(name, description, pc, m, sigcode, addr, Collections.unmodifiableMap(new LinkedHashMap<>(registers)));
        }
    }

    private static final class Parser {
        final List<Panic> panics = new ArrayList<>();
        String faultSignal;
        String fatalError;
        final List<SignalBuilder> signals = new ArrayList<>();
        final List<SectionBuilder> sections = new ArrayList<>();
        final List<String> other = new ArrayList<>();

        SectionBuilder cur; // section whose frames are being read
        String pendingFunction; // function line waiting for its file:line
        boolean pendingCreatedBy;
        String createdByFunction;
        long createdByParent;
        boolean inPanicHeader; // right after panic lines: tab-indented continuation lines belong to them

        RuntimeTraceback parse(String text) {
            for (String line : text.split("\n", -1)) {
                accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            }
            endSection();
            List<Goroutine> secs = sections.stream().map(SectionBuilder::build).toList();
            List<Signal> sigs = signals.stream().map(SignalBuilder::build).toList();
            return new RuntimeTraceback(List.copyOf(panics), Optional.ofNullable(faultSignal),
                    Optional.ofNullable(fatalError), sigs, secs, List.copyOf(other));
        }

        void endSection() {
            cur = null;
            pendingFunction = null;
            pendingCreatedBy = false;
        }

        void startSection(Matcher h, String line) {
            endSection();
            SectionBuilder s = new SectionBuilder();
            s.id = Long.parseLong(h.group(1));
            s.header = line;
            s.gp = h.group(2) == null ? null : hex(h.group(2).substring(2));
            s.m = h.group(3) == null || h.group(3).equals("nil") ? null : Long.parseLong(h.group(3));
            s.mp = h.group(4) == null ? null : hex(h.group(4).substring(2));
            s.rawStatus = h.group(5);
            s.g0 = s.id == 0;
            s.signal = signals.size() - 1;
            sections.add(s);
            cur = s;
        }

        void accept(String line) {
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                inPanicHeader = false;
                startSection(h, line);
                return;
            }
            if (line.equals("runtime stack:")) {
                inPanicHeader = false;
                endSection();
                SectionBuilder s = new SectionBuilder();
                s.id = -1;
                s.header = line;
                s.rawStatus = "runtime stack";
                s.g0 = true;
                s.signal = signals.size() - 1;
                sections.add(s);
                cur = s;
                return;
            }
            Matcher reg = REGISTER.matcher(line);
            if (reg.matches() && !signals.isEmpty() && (cur == null || cur.g0 || pendingFunction == null)) {
                signals.get(signals.size() - 1).registers.put(reg.group(1), hex(reg.group(2)));
                if (cur != null && pendingFunction == null) {
                    endSection();
                }
                return;
            }
            if (cur != null) {
                sectionLine(line);
                return;
            }
            headerLine(line);
        }

        void sectionLine(String line) {
            if (line.isEmpty()) {
                endSection();
                return;
            }
            if (line.startsWith("\t")) {
                Matcher fl = FILE_LINE.matcher(line);
                if (line.equals("\tgoroutine running on other thread; stack unavailable")) {
                    cur.unavailable = true;
                } else if (pendingCreatedBy && fl.matches()) {
                    cur.createdBy = new CreatedBy(createdByFunction, normalize(createdByFunction), createdByParent,
                            fl.group(1), Integer.parseInt(fl.group(2)), hex(fl.group(3)));
                    pendingCreatedBy = false;
                } else if (pendingFunction != null && fl.matches()) {
                    String raw = pendingFunction;
                    String printed = stripArgs(raw);
                    String args = raw.length() > printed.length() + 1
                            ? raw.substring(printed.length() + 1, raw.length() - 1) : "";
                    boolean inlined = args.equals("...") && fl.group(3) == null;
                    cur.frames.add(new Frame(raw, normalize(printed), args, inlined, fl.group(1),
                            Integer.parseInt(fl.group(2)), hex(fl.group(3)), hex(fl.group(4)), hex(fl.group(5)),
                            hex(fl.group(6))));
                    pendingFunction = null;
                } else {
                    other.add(line);
                }
                return;
            }
            Matcher cb = CREATED_BY.matcher(line);
            if (cb.matches()) {
                pendingFunction = null;
                pendingCreatedBy = true;
                createdByFunction = cb.group(1);
                createdByParent = cb.group(2) == null ? 0 : Long.parseLong(cb.group(2));
                return;
            }
            Matcher el = ELIDED.matcher(line);
            if (el.matches()) {
                cur.elided = Integer.parseInt(el.group(1));
                cur.elidedAt = cur.frames.size();
                pendingFunction = null;
                return;
            }
            if (line.equals("...additional frames elided...")) {
                cur.truncated = true;
                pendingFunction = null;
                return;
            }
            if (line.startsWith("[originating from goroutine ")) {
                // GODEBUG=tracebackancestors: the ancestors' frames are not this goroutine's.
                other.add(line);
                endSection();
                return;
            }
            if (pendingFunction != null) {
                other.add(pendingFunction); // a function line without a file line
            }
            pendingFunction = line;
        }

        void headerLine(String line) {
            if (line.startsWith("panic: ") || line.startsWith("\tpanic: ")) {
                String text = line.substring(line.indexOf("panic: ") + "panic: ".length());
                Matcher emb = EMBEDDED_HEADER.matcher(text);
                String header = null;
                if (emb.matches() && HEADER.matcher(emb.group(2)).matches()) {
                    text = emb.group(1);
                    header = emb.group(2);
                }
                addPanic(text, line);
                inPanicHeader = true;
                if (header != null) {
                    Matcher h = HEADER.matcher(header);
                    h.matches();
                    inPanicHeader = false;
                    startSection(h, header);
                }
                return;
            }
            if (inPanicHeader && line.startsWith("\t") && !panics.isEmpty()) {
                Panic last = panics.remove(panics.size() - 1);
                String message = last.message() + "\n" + line.substring(1);
                panics.add(new Panic(message, last.recovered(), last.repanicked(), last.raw() + "\n" + line));
                return;
            }
            inPanicHeader = false;
            if (line.startsWith("[signal ")) {
                faultSignal = line;
                return;
            }
            if (line.startsWith("fatal error: ")) {
                fatalError = line.substring("fatal error: ".length());
                return;
            }
            Matcher sig = SIGNAL.matcher(line);
            if (sig.matches()) {
                SignalBuilder s = new SignalBuilder();
                s.name = sig.group(1);
                s.description = sig.group(2);
                signals.add(s);
                return;
            }
            Matcher pc = SIGNAL_PC.matcher(line);
            if (pc.matches() && !signals.isEmpty()) {
                SignalBuilder s = signals.get(signals.size() - 1);
                s.pc = hex(pc.group(1));
                s.m = Long.parseLong(pc.group(2));
                s.sigcode = pc.group(3);
                s.addr = hex(pc.group(4));
                return;
            }
            if (line.isEmpty() || line.equals("-----")) {
                return;
            }
            other.add(line);
        }

        void addPanic(String text, String raw) {
            boolean recovered = false;
            boolean repanicked = false;
            if (text.endsWith(" [recovered, repanicked]")) {
                recovered = true;
                repanicked = true;
                text = text.substring(0, text.length() - " [recovered, repanicked]".length());
            } else if (text.endsWith(" [recovered]")) {
                recovered = true;
                text = text.substring(0, text.length() - " [recovered]".length());
            }
            panics.add(new Panic(text, recovered, repanicked, raw));
        }
    }
}
