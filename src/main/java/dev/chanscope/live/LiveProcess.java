package dev.chanscope.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * What {@code /proc} says about a process, read without touching it: its scheduling state
 * and its threads', its tracer, owner, executable and mappings. The state is what chanscope
 * restores when it leaves: a process found stopped ({@code T}) is left stopped.
 */
public final class LiveProcess {
    /** amd64 system call numbers of the calls that send a signal (arch/x86/entry/syscalls/syscall_64.tbl). */
    private static final int SYS_KILL = 62, SYS_TKILL = 200, SYS_TGKILL = 234, SYS_RT_SIGQUEUEINFO = 129,
            SYS_RT_TGSIGQUEUEINFO = 297;
    /** SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: the signals that stop a process. */
    private static final List<Long> STOP_SIGNALS = List.of(19L, 20L, 21L, 22L);

    private final int pid;
    private final Path dir;

    public LiveProcess(int pid) {
        this.pid = pid;
        this.dir = Path.of("/proc", Integer.toString(pid));
    }

    public int pid() {
        return pid;
    }

    public boolean exists() {
        return Files.isDirectory(dir);
    }

    /**
     * The process's state letter ({@code R}, {@code S}, {@code D}, {@code T} stopped by a signal,
     * {@code t} stopped by a tracer, {@code Z}), and every thread's, as {@code /proc} shows them.
     */
    public record State(char process, Map<Integer, Character> threads) {
        /** Stopped by a signal (job control), the state chanscope must leave a stopped process in. */
        public boolean stopped() {
            return process == 'T';
        }

        public boolean gone() {
            return process == 'X' || process == '?';
        }

        public String describe() {
            return switch (process) {
                case 'R' -> "running (R)";
                case 'S' -> "running, sleeping (S)";
                case 'D' -> "running, in uninterruptible sleep (D)";
                case 'I' -> "running, idle (I)";
                case 'T' -> "stopped (T)";
                case 't' -> "stopped by a tracer (t)";
                case 'Z' -> "a zombie (Z)";
                case 'X', '?' -> "gone";
                default -> "state " + process;
            };
        }
    }

    public State state() {
        Map<Integer, Character> threads = new LinkedHashMap<>();
        for (int tid : threadIds()) {
            statState(dir.resolve("task").resolve(Integer.toString(tid)).resolve("stat")).ifPresent(c -> threads.put(tid, c));
        }
        char main = statState(dir.resolve("stat")).orElse('?');
        return new State(main, Map.copyOf(threads));
    }

    /** The state letter: the field after the command name, which is in parentheses and may hold any byte. */
    private static Optional<Character> statState(Path stat) {
        return read(stat).flatMap(s -> {
            int close = s.lastIndexOf(')');
            return close >= 0 && close + 2 < s.length() ? Optional.of(s.charAt(close + 2)) : Optional.empty();
        });
    }

    public List<Integer> threadIds() {
        List<Integer> ids = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(dir.resolve("task"))) {
            tasks.forEach(t -> {
                try {
                    ids.add(Integer.parseInt(t.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a thread directory
                }
            });
        } catch (IOException e) {
            return List.of();
        }
        ids.sort(null);
        return ids;
    }

    /** A field of {@code /proc/PID/status} ("TracerPid", "Uid"), its value with surrounding blanks removed. */
    public Optional<String> status(String field) {
        return read(dir.resolve("status")).flatMap(s -> s.lines()
                .filter(l -> l.startsWith(field + ":"))
                .map(l -> l.substring(field.length() + 1).strip())
                .findFirst());
    }

    /**
     * A thread that has a tracer (or is stopped by one), and that tracer: ptrace works per thread,
     * so one thread of a process can be traced while the main thread's TracerPid says 0.
     *
     * @param tid    the thread
     * @param tracer its tracer's PID, 0 when it is in a tracing stop ({@code t}) without one
     */
    public record TracedThread(int tid, int tracer) {}

    /** The first traced thread (the main thread first), or empty when no thread is traced. */
    public Optional<TracedThread> tracedThread() {
        List<Integer> tids = new ArrayList<>(threadIds());
        tids.remove(Integer.valueOf(pid));
        tids.add(0, pid);
        for (int tid : tids) {
            Path task = dir.resolve("task").resolve(Integer.toString(tid));
            Optional<String> status = read(task.resolve("status"));
            if (status.isEmpty()) {
                continue; // the thread exited meanwhile
            }
            int tracer = status.get().lines().filter(l -> l.startsWith("TracerPid:"))
                    .map(l -> l.substring("TracerPid:".length()).strip()).findFirst().map(v -> {
                        try {
                            return Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            return 0;
                        }
                    }).orElse(0);
            boolean tracingStop = statState(task.resolve("stat")).map(c -> c == 't').orElse(false);
            if (tracer != 0 || tracingStop) {
                return Optional.of(new TracedThread(tid, tracer));
            }
        }
        return Optional.empty();
    }

    /** The tracer's PID, 0 when nobody traces the process. */
    public int tracerPid() {
        return status("TracerPid").map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                return 0;
            }
        }).orElse(0);
    }

    /** Real, effective, saved and filesystem user ids. */
    public List<Integer> uids() {
        return ids("Uid");
    }

    public List<Integer> gids() {
        return ids("Gid");
    }

    private List<Integer> ids(String field) {
        List<Integer> out = new ArrayList<>();
        status(field).ifPresent(v -> {
            for (String s : v.split("\\s+")) {
                try {
                    out.add(Integer.parseInt(s));
                } catch (NumberFormatException ignored) {
                    // malformed: leave it out
                }
            }
        });
        return out;
    }

    /** The command name the kernel keeps ({@code comm}, 15 characters at most). */
    public String name() {
        return read(dir.resolve("comm")).map(String::strip).orElse("?");
    }

    /** {@code /proc/PID/exe}: opens the very file the process runs, even when it was replaced or deleted on disk. */
    public Path exeLink() {
        return dir.resolve("exe");
    }

    /** Where the executable link points ("/srv/app (deleted)" when the file is gone). */
    public Optional<String> exePath() {
        try {
            return Optional.of(Files.readSymbolicLink(exeLink()).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    public List<LiveMapping> maps() {
        return read(dir.resolve("maps")).map(s -> s.lines().map(LiveMapping::parse).flatMap(Optional::stream).toList())
                .orElse(List.of());
    }

    /** {@code /proc/PID/auxv}: the auxiliary vector, for a core's NT_AUXV. */
    public Optional<byte[]> auxv() {
        try {
            return Optional.of(Files.readAllBytes(dir.resolve("auxv")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The command line, arguments joined by spaces. */
    public String commandLine() {
        try {
            byte[] b = Files.readAllBytes(dir.resolve("cmdline"));
            return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Parent PID, process group and session, from stat (fields 4, 5, 6). */
    public long[] parentGroupSession() {
        return read(dir.resolve("stat")).map(s -> {
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            long[] out = new long[3];
            for (int i = 0; i < 3 && i + 1 < f.length; i++) {
                out[i] = Long.parseLong(f[i + 1]);
            }
            return out;
        }).orElse(new long[3]);
    }

    /**
     * The thread that stopped the process by signalling a stop to itself or its process
     * ({@code kill}, {@code tkill}, {@code tgkill}, {@code rt_(tg)sigqueueinfo} with SIGSTOP,
     * SIGTSTP, SIGTTIN or SIGTTOU): a thread stopped on the way out of that call still shows it
     * in {@code /proc/PID/task/TID/syscall}. This is the live counterpart of a core's first
     * thread, the one that took the fatal signal. amd64 numbering.
     */
    public OptionalInt selfStoppingThread() {
        for (int tid : threadIds()) {
            Optional<String> sc = read(dir.resolve("task").resolve(Integer.toString(tid)).resolve("syscall"));
            if (sc.isEmpty()) {
                continue;
            }
            String[] f = sc.get().strip().split("\\s+");
            if (f.length < 4) {
                continue; // "running" or "-1 sp pc": not in a system call
            }
            try {
                int nr = Integer.parseInt(f[0]);
                long a1 = Long.decode(f[1]);
                long a2 = Long.decode(f[2]);
                long a3 = Long.decode(f[3]);
                boolean self = switch (nr) {
                    case SYS_KILL, SYS_RT_SIGQUEUEINFO -> (a1 == pid || a1 == 0) && STOP_SIGNALS.contains(a2);
                    case SYS_TKILL -> a1 == tid && STOP_SIGNALS.contains(a2);
                    case SYS_TGKILL, SYS_RT_TGSIGQUEUEINFO -> a1 == pid && a2 == tid && STOP_SIGNALS.contains(a3);
                    default -> false;
                };
                if (self) {
                    return OptionalInt.of(tid);
                }
            } catch (NumberFormatException ignored) {
                // an unexpected format: not evidence
            }
        }
        return OptionalInt.empty();
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p, StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
