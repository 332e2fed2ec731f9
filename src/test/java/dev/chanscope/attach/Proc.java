package dev.chanscope.attach;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the tests read about a process from /proc, independently of chanscope's own code. */
final class Proc {
    private Proc() {
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    static char state(int pid) {
        String s = read(Path.of("/proc/" + pid + "/stat"));
        int close = s.lastIndexOf(')');
        return close < 0 ? '?' : s.charAt(close + 2);
    }

    /** Every thread's state letter, in thread-id order. */
    static String threadStates(int pid) {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            tasks.map(t -> t.resolve("stat")).sorted().forEach(stat -> {
                String s = read(stat);
                int close = s.lastIndexOf(')');
                if (close > 0) {
                    b.append(s.charAt(close + 2));
                }
            });
        } catch (IOException e) {
            return "";
        }
        return b.toString();
    }

    static int tracerPid(int pid) {
        return read(Path.of("/proc/" + pid + "/status")).lines().filter(l -> l.startsWith("TracerPid:"))
                .map(l -> Integer.parseInt(l.substring(10).strip())).findFirst().orElse(-1);
    }

    /** CPU time (user + system clock ticks) the process has used. */
    static long cpuTicks(int pid) {
        String s = read(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static void signal(long pid, String sig) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("kill -" + sig + " " + pid + " failed");
        }
    }

    /**
     * A fingerprint of everything of the process that chanscope must not change: the SHA-256 of
     * every readable mapping's contents (through /proc/PID/mem; the kernel's [vvar] and
     * [vsyscall] pages excluded) and each thread's /proc/PID/task/TID/syscall, which shows the
     * system call, its arguments and the stack pointer and program counter.
     */
    static String fingerprint(int pid) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            for (String line : read(Path.of("/proc/" + pid + "/maps")).lines().toList()) {
                String[] f = line.split("\\s+", 6);
                String path = f.length > 5 ? f[5] : "";
                if (f[1].charAt(0) != 'r' || path.startsWith("[vvar") || path.equals("[vsyscall]")) {
                    continue;
                }
                String[] range = f[0].split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                md.update(line.getBytes(StandardCharsets.UTF_8));
                for (long a = start; a < end; a += buf.length) {
                    int n = (int) Math.min(buf.length, end - a);
                    mem.seek(a);
                    mem.readFully(buf, 0, n);
                    md.update(buf, 0, n);
                }
            }
        }
        TreeMap<String, String> syscalls = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                syscalls.put(t.getFileName().toString(), read(t.resolve("syscall")).strip());
            }
        }
        md.update(syscalls.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest()) + " " + syscalls;
    }

    /** PIDs of the process's threads. */
    static List<Integer> threads(int pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.map(t -> Integer.parseInt(t.getFileName().toString())).sorted().toList();
        }
    }
}
