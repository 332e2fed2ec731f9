package dev.chanscope.goruntime;

import dev.chanscope.target.Target;
import dev.chanscope.target.ThreadContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads a {@link Snapshot} from a target: goroutines, the panic, the channel. */
public final class SnapshotReader {
    private final int maxFrames;

    public SnapshotReader(int maxFrames) {
        this.maxFrames = maxFrames;
    }

    /** Linux signal numbers (the kernel ABI) as the runtime names them in "SIGABRT: abort". */
    static String signalText(int sig) {
        String[] names = {"", "SIGHUP: terminal line hangup", "SIGINT: interrupt", "SIGQUIT: quit",
            "SIGILL: illegal instruction", "SIGTRAP: trace trap", "SIGABRT: abort", "SIGBUS: bus error",
            "SIGFPE: floating-point exception", "SIGKILL: kill", "SIGUSR1: user-defined signal 1",
            "SIGSEGV: segmentation violation", "SIGUSR2: user-defined signal 2", "SIGPIPE: write to broken pipe",
            "SIGALRM: alarm clock", "SIGTERM: termination"};
        if (sig <= 0) {
            return "no Go panic and no fatal signal recorded";
        }
        String name = sig < names.length ? names[sig] : "signal " + sig;
        return name + " (no Go panic was in flight)";
    }

    public Snapshot read(Target target) {
        GoRuntime rt = new GoRuntime(target);
        List<String> warnings = new ArrayList<>();
        List<ThreadContext> threads = target.threads();
        List<Goroutine> gs = new GoroutineReader(rt, maxFrames).readAll(threads);
        for (Goroutine g : gs) {
            g.stackError().ifPresent(e -> warnings.add("goroutine " + g.id() + ": stack incomplete: " + e));
        }
        PanicReader pr = new PanicReader(rt);
        Optional<Goroutine> victim = pr.panicking(gs, threads);
        PanicRecord panic = victim.map(pr::read).orElseGet(() -> pr.fatalWithoutPanic(gs, signalText(target.terminatingSignal())));
        ChannelReader cr = new ChannelReader(rt);
        Optional<Hchan> channel = victim.flatMap(v -> cr.forPanic(v, panic, gs));
        if (panic.kind().isChannelPanic() && panic.kind() != PanicKind.CLOSE_OF_NIL && channel.isEmpty()) {
            warnings.add("the channel of the panic could not be located on the panicking goroutine's stack");
        }
        Map<Long, Long> waitingOn = new LinkedHashMap<>();
        for (Goroutine g : gs) {
            if (g.status().kind() == GoStatus.Kind.WAITING) {
                OptionalLong c = cr.waitingOn(g);
                if (c.isPresent() && cr.looksLikeHchan(c.getAsLong())) {
                    waitingOn.put(g.id(), c.getAsLong());
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
                waitingOn, List.copyOf(warnings));
    }
}
