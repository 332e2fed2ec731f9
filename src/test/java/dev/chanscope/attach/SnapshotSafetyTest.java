package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * chanscope runs as root and writes --snapshot into directories others may write to (docs/security.md):
 * a planted link under any name chanscope could use is neither followed nor replaced; the snapshot
 * is private (0600) from its creation; a destination that is a link, a FIFO or a device is refused
 * before the process is touched; a full disk costs the snapshot, not the report.
 */
class SnapshotSafetyTest {
    @TempDir
    Path tmp;

    private static final String SECRET = "root's file, which no snapshot may overwrite\n";

    /**
     * The old code wrote through {@code .NAME.part-PID} (and {@code .NAME.raw-PID}) with the JVM's
     * PID: a shell that plants both links and then execs the JVM (same PID) reproduces the attack
     * deterministically.
     */
    @Test
    void plantedLinksAreNotFollowedAndTheSnapshotIsPrivate() throws Exception {
        Path bin = LivePrograms.extract(tmp, LivePrograms.GO_VERSIONS.get(0), "live-blocked");
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        assertEquals(0, new ProcessBuilder("chmod", "1777", shared.toString()).inheritIO().start().waitFor());
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, SECRET);
        Path snap = shared.resolve("snap.core.zst");
        Path plain = shared.resolve("snap.core");
        try (GoProcess p = GoProcess.start(tmp, bin, Map.of())) {
            p.awaitLine("ready", 30);
            p.stopAndWait();
            for (Path dest : List.of(snap, plain)) {
                String name = dest.getFileName().toString();
                List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                        "for n in ." + name + ".part-$$ ." + name + ".raw-$$; do ln -s " + victim + " " + shared
                                + "/$n; done; exec \"$@\"", "sh"));
                cmd.addAll(Chanscope.javaCommand(System.getProperty("java.class.path")));
                cmd.addAll(List.of("attach", "--json", "--snapshot", dest.toString(), Integer.toString(p.pid())));
                Chanscope cs = new Chanscope(tmp);
                Chanscope.Run r = cs.finish(cs.start(cmd, Map.of()), 180);
                assertEquals(0, r.exit(), r.err());
                assertEquals(SECRET, Files.readString(victim), "the snapshot was written through a planted link");
                assertTrue(Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS), dest.toString());
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest)),
                        "a snapshot holds the process's secrets");
                assertEquals(dest.toString(), r.json().at("/live/snapshot/path").asText());
                try (Stream<Path> files = Files.list(shared)) {
                    List<Path> planted = files.filter(f -> Files.isSymbolicLink(f)).toList();
                    assertEquals(dest == snap ? 2 : 4, planted.size(), "the planted links are left alone: " + planted);
                }
            }
            assertEquals('T', p.state());
            Chanscope.Run a = new Chanscope(tmp).run("analyze", "--json", "--binary", bin.toString(), snap.toString());
            assertEquals(0, a.exit(), a.err());
            p.signal("CONT");
            p.sendLine("go");
            assertEquals(0, p.awaitExit(60), p.stderrText());
        }
        try (Stream<Path> files = Files.list(shared)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".part-")
                    && !Files.isSymbolicLink(f)), "a temporary file was left behind");
        }
    }

    /** A link, a FIFO or a device at the destination: one line, exit 2, nothing touched, not even the process. */
    @Test
    void aDestinationThatIsNotARegularFileIsRefused() throws Exception {
        Path bin = LivePrograms.extract(tmp, LivePrograms.GO_VERSIONS.get(0), "live-blocked");
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, SECRET);
        Path link = Files.createSymbolicLink(tmp.resolve("link.core"), victim);
        Path fifo = tmp.resolve("fifo.core");
        Path dev = tmp.resolve("null.core.zst");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        assertEquals(0, new ProcessBuilder("mknod", dev.toString(), "c", "1", "3").inheritIO().start().waitFor());
        try (GoProcess p = GoProcess.start(tmp, bin, Map.of())) {
            p.awaitLine("ready", 30);
            p.stopAndWait();
            String before = Proc.fingerprint(p.pid());
            Map<Path, String> cases = Map.of(link, "is a symbolic link", fifo, "is a named pipe (FIFO)",
                    dev, "is a character device");
            for (var c : cases.entrySet()) {
                Chanscope.Run r = new Chanscope(tmp).run("attach", "--snapshot", c.getKey().toString(),
                        Integer.toString(p.pid()));
                assertEquals(2, r.exit(), r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertTrue(r.err().contains(c.getValue()), r.err());
                assertTrue(r.out().isEmpty(), r.out());
            }
            assertTrue(Files.isSymbolicLink(link));
            assertEquals(SECRET, Files.readString(victim));
            assertEquals("p", fileType(fifo));
            assertEquals("c", fileType(dev));
            assertEquals(before, Proc.fingerprint(p.pid()));
            assertEquals('T', p.state());
            assertEquals(0, p.tracerPid());
            p.signal("CONT");
            p.sendLine("go");
            assertEquals(0, p.awaitExit(60), p.stderrText());
        }
    }

    /**
     * A full disk (a 256 KiB tmpfs; the core has about 700 KB of data): the report is printed,
     * with a warning, exit 1; nothing is left in the directory. The old code exited 70 with no report.
     */
    @Test
    void aFullDiskCostsTheSnapshotNotTheReport() throws Exception {
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip());
        assumeTrue(root, "mounting a small tmpfs needs root (CI runs as root)");
        Path bin = LivePrograms.extract(tmp, LivePrograms.GO_VERSIONS.get(0), "live-blocked");
        Path small = Files.createDirectory(tmp.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, mount.waitFor(), new String(mount.getInputStream().readAllBytes()));
        try (GoProcess p = GoProcess.start(tmp, bin, Map.of())) {
            p.awaitLine("ready", 30);
            for (String name : List.of("full.core", "full.core.xz")) {
                Chanscope.Run r = new Chanscope(tmp).run("attach", "--json", "--snapshot",
                        small.resolve(name).toString(), Integer.toString(p.pid()));
                assertEquals(1, r.exit(), r.err());
                assertFalse(r.err().contains("internal error"), r.err());
                assertTrue(r.err().contains("was not written: No space left on device"), r.err());
                assertTrue(r.json().get("partial").asBoolean());
                assertTrue(r.json().get("warnings").toString().contains("No space left on device"));
                assertTrue(r.json().get("goroutines").size() > 5, "the report is complete otherwise");
                assertTrue(r.json().at("/live/snapshot").isNull());
                try (Stream<Path> files = Files.list(small)) {
                    assertEquals(List.of(), files.toList(), "nothing may be left on the full file system");
                }
            }
            p.sendLine("go");
            assertEquals(0, p.awaitExit(60), p.stderrText());
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).inheritIO().start().waitFor();
        }
    }

    private static String fileType(Path p) throws Exception {
        Process s = new ProcessBuilder("stat", "-c", "%F", p.toString()).start();
        String t = new String(s.getInputStream().readAllBytes()).strip();
        s.waitFor();
        return switch (t) {
            case "fifo" -> "p";
            case "character special file" -> "c";
            default -> t;
        };
    }
}
