package dev.chanscope.goruntime;

import dev.chanscope.proc.MemoryAccessException;
import dev.chanscope.proc.Target;
import dev.chanscope.proc.ThreadContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads a {@link Snapshot} from a target: goroutines, the panic, the channel. */
public final class SnapshotReader {
    private final int maxFrames;
    private final int parkedDepth;

    public SnapshotReader(int maxFrames) {
        this(maxFrames, -1);
    }

    /** @param parkedDepth see {@link GoroutineReader#GoroutineReader(GoRuntime, int, int)}; -1 for every frame */
    public SnapshotReader(int maxFrames, int parkedDepth) {
        this.maxFrames = maxFrames;
        this.parkedDepth = parkedDepth;
    }

    /**
     * The panic message when no goroutine panicked and no signal ended the process: a live
     * process that is healthy, or a core taken by gcore.
     */
    public static final String NO_PANIC = "no Go panic and no fatal signal recorded";

    /** Linux signal numbers (the kernel ABI) as the runtime names them in "SIGABRT: abort". */
    static String signalText(int sig) {
        String[] names = {"", "SIGHUP: terminal line hangup", "SIGINT: interrupt", "SIGQUIT: quit",
            "SIGILL: illegal instruction", "SIGTRAP: trace trap", "SIGABRT: abort", "SIGBUS: bus error",
            "SIGFPE: floating-point exception", "SIGKILL: kill", "SIGUSR1: user-defined signal 1",
            "SIGSEGV: segmentation violation", "SIGUSR2: user-defined signal 2", "SIGPIPE: write to broken pipe",
            "SIGALRM: alarm clock", "SIGTERM: termination"};
        if (sig <= 0) {
            return NO_PANIC;
        }
        String name = sig < names.length ? names[sig] : "signal " + sig;
        return name + " (no Go panic was in flight)";
    }

    /** Warnings that say the reading is too incomplete for a confident verdict start with this. */
    public static final String INCOMPLETE_PREFIX = "incomplete reading: ";

    /** Panic messages are read up to this many bytes (PanicReader); one that fills it was cut. */
    static final int MESSAGE_CAP = 4096;

    /**
     * Why a panic message cannot be what the program panicked with: bytes that are not UTF-8 text
     * (the runtime's own messages and Go string literals are), NUL bytes, or a length at the
     * read's cap (a damaged string header pointing into other memory).
     */
    static Optional<String> implausibleMessage(String m) {
        long bad = m.chars().filter(c -> c == 0xfffd || c == 0).count();
        if (bad > 0) {
            return Optional.of("the panic message holds " + bad + " bytes that are not UTF-8 text (NUL or invalid)"
                    + "; its string was read from damaged memory");
        }
        if (m.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= MESSAGE_CAP) {
            return Optional.of("the panic message is " + MESSAGE_CAP + " bytes or more, read from a string header that"
                    + " is likely damaged");
        }
        return Optional.empty();
    }

    public Snapshot read(Target target) {
        return read(target, List.of());
    }

    /**
     * Reads the snapshot; memory the target lacks (a truncated core) turns into warnings, never
     * an exception, except where nothing could be reported at all.
     *
     * @param initialWarnings remarks from opening the target (truncation, --force), listed first
     * @throws RuntimeLayoutException (BAD_INPUT) when the runtime's globals or runtime.allgs
     *     cannot be read
     */
    public Snapshot read(Target target, List<String> initialWarnings) {
        return read(GoRuntime.of(target), initialWarnings);
    }

    /** {@link #read(Target, List)} with the target's runtime already built ({@link GoRuntime#of}). */
    public Snapshot read(GoRuntime rt, List<String> initialWarnings) {
        Target target = rt.target();
        List<String> warnings = new ArrayList<>(initialWarnings);
        List<ThreadContext> threads = target.threads();
        GoroutineReader goroutineReader = new GoroutineReader(rt, maxFrames, parkedDepth);
        List<Goroutine> gs = goroutineReader.readAll(threads);
        warnings.addAll(goroutineReader.warnings());
        if (gs.isEmpty()) {
            // Every Go program that ran main has goroutine 1: an empty list means the runtime's
            // data was not where the binary says (a wrong load address, another build, damage).
            throw new RuntimeLayoutException("no goroutine could be read from runtime.allgs (" + rt.version()
                    + "): the runtime's data is not where the binary places it, so nothing can be reported"
                    + (warnings.isEmpty() ? "" : " (" + String.join("; ", warnings) + ")"));
        }
        for (Goroutine g : gs) {
            g.stackError().ifPresent(e -> warnings.add("goroutine " + g.id() + ": "
                    + (e.equals(GoroutineReader.STACK_UNREADABLE) ? e : "stack incomplete: " + e)));
        }
        PanicReader pr = new PanicReader(rt);
        Optional<Goroutine> victim = pr.panicking(gs, threads);
        PanicRecord panic;
        try {
            String signal = signalText(target.terminatingSignal());
            if (goroutineReader.unreadable() > 0) {
                // The panicking goroutine may be one of those lost: do not claim there was no panic.
                signal = signal.replace("(no Go panic was in flight)", "(no panicking goroutine among those that"
                        + " could be read)");
            }
            String shown = signal;
            panic = victim.map(pr::read).orElseGet(() -> pr.fatalWithoutPanic(gs, shown));
        } catch (MemoryAccessException e) {
            Goroutine v = victim.orElseThrow(() -> e);
            warnings.add("goroutine " + v.id() + ": its panic cannot be read (" + e.getMessage() + ")");
            panic = new PanicRecord(v.id(), "(panic value unreadable)", PanicKind.OTHER, PanicSite.OTHER,
                    Optional.empty(), PanicReader.userFrame(v), List.of());
        }
        victim.filter(v -> v.frames().isEmpty()).ifPresent(v -> warnings.add(INCOMPLETE_PREFIX + "goroutine " + v.id()
                + ", the panicking goroutine, has no stack frames that could be read (from " + v.stackSource()
                + "); the site, the victim and the channel are unknown"));

        implausibleMessage(panic.message()).ifPresent(w -> warnings.add(Snapshot.IMPLAUSIBLE + w));
        ChannelReader cr = new ChannelReader(rt);
        Optional<Hchan> channel;
        try {
            PanicRecord p = panic;
            channel = victim.flatMap(v -> cr.forPanic(v, p, gs));
        } catch (MemoryAccessException e) {
            warnings.add("the channel of the panic cannot be read (" + e.getMessage() + ")");
            channel = Optional.empty();
        }
        if (panic.kind().isChannelPanic() && panic.kind() != PanicKind.CLOSE_OF_NIL && channel.isEmpty()
                && warnings.stream().noneMatch(w -> w.startsWith("the channel of the panic"))) {
            warnings.add("the channel of the panic could not be located on the panicking goroutine's stack");
        }
        Map<Long, Long> waitingOn = new LinkedHashMap<>();
        for (Goroutine g : gs) {
            if (g.status().kind() == GoStatus.Kind.WAITING) {
                try {
                    OptionalLong c = cr.waitingOn(g);
                    if (c.isPresent() && cr.looksLikeHchan(c.getAsLong())) {
                        waitingOn.put(g.id(), c.getAsLong());
                    }
                } catch (MemoryAccessException e) {
                    // its sudog is in lost memory: the goroutine is listed, its channel is not known
                }
            }
        }
        List<Goroutine> ordered = new ArrayList<>(gs);
        // The runtime prints the panicking goroutine first; so do we.
        victim.ifPresent(v -> {
            ordered.remove(v);
            ordered.add(0, v);
        });
        return new Snapshot(rt.version(), target.describe(), Optional.of(panic), channel, List.copyOf(ordered),
                waitingOn, List.copyOf(warnings), rt.layoutSource());
    }
}
