package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way chanscope can leave a process leaves it as found: Ctrl-C (SIGINT), SIGTERM, the
 * watchdog's timeout, chanscope's JVM killed outright (gdb then sees end of input), and gdb
 * itself killed (the kernel detaches). chanscope is held attached after reading with
 * CHANSCOPE_ATTACH_HOLD_MS so the event lands while it is attached. Each case runs on a
 * stopped process (must stay T) and on a running one (must run again and finish correctly).
 */
class DetachPathsTest {
    private static final String GO = LivePrograms.GO_VERSIONS.get(0);
    private static final Map<String, String> HOLD = Map.of("CHANSCOPE_ATTACH_HOLD_MS", "60000");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "stopped={0}")
    @ValueSource(booleans = {true, false})
    void ctrlCDetaches(boolean stopped) throws Exception {
        // The JVM runs its shutdown hook, which detaches, then exits with 128 + SIGINT.
        leaveBy(stopped, (cs, chanscope, gdbPid) -> Proc.signal(chanscope.pid(), "INT"), 130, Optional.empty());
    }

    @ParameterizedTest(name = "stopped={0}")
    @ValueSource(booleans = {true, false})
    void sigtermDetaches(boolean stopped) throws Exception {
        leaveBy(stopped, (cs, chanscope, gdbPid) -> Proc.signal(chanscope.pid(), "TERM"), 143, Optional.empty());
    }

    @ParameterizedTest(name = "stopped={0}")
    @ValueSource(booleans = {true, false})
    void chanscopeKilledDetaches(boolean stopped) throws Exception {
        // SIGKILL: no shutdown hook runs; gdb reads end of input and exits, detaching.
        leaveBy(stopped, (cs, chanscope, gdbPid) -> Proc.signal(chanscope.pid(), "KILL"), 137, Optional.empty());
    }

    @ParameterizedTest(name = "stopped={0}")
    @ValueSource(booleans = {true, false})
    void gdbKilledDetaches(boolean stopped) throws Exception {
        // The tracer dies: the kernel detaches its tracees (a group stop still in effect is kept);
        // chanscope notices that nobody traces the process any more and fails with one line.
        leaveBy(stopped, (cs, chanscope, gdbPid) -> Proc.signal(gdbPid, "KILL"), 5,
                Optional.of("gdb exited while chanscope was attached"));
    }

    @ParameterizedTest(name = "stopped={0}")
    @ValueSource(booleans = {true, false})
    void timeoutDetachesAndFails(boolean stopped) throws Exception {
        leaveBy(stopped, null, 5, Optional.of("timed out after 3 s"));
    }

    interface Event {
        void fire(Chanscope cs, Process chanscope, int gdbPid) throws Exception;
    }

    /**
     * Attaches (held), fires {@code event} once chanscope is attached (or waits for the timeout
     * when the event is null), then checks the process and lets it finish.
     */
    private void leaveBy(boolean stopped, Event event, int expectedExit, Optional<String> expectedError) throws Exception {
        Path bin = LivePrograms.extract(tmp, GO, "live-blocked");
        try (GoProcess p = GoProcess.start(tmp, bin, Map.of())) {
            p.awaitLine("ready", 30);
            if (stopped) {
                p.stopAndWait();
            }
            Chanscope cs = new Chanscope(tmp);
            List<String> args = event == null
                    ? List.of("attach", "--timeout", "3", Integer.toString(p.pid()))
                    : List.of("attach", Integer.toString(p.pid()));
            Path holding = tmp.resolve("holding");
            Map<String, String> env = new java.util.HashMap<>(HOLD);
            env.put("CHANSCOPE_ATTACH_HOLD_FILE", holding.toString());
            Process chanscope = cs.start(env, args.toArray(String[]::new));
            int gdbPid = awaitTracer(p, chanscope);
            if (event != null) {
                // Fire once chanscope has read everything and holds the process: it says so by
                // creating the file (no guessed delay, which a loaded machine overran).
                awaitHolding(holding, chanscope);
            }
            if (event != null) {
                event.fire(cs, chanscope, gdbPid);
            }
            assertTrue(chanscope.waitFor(60, TimeUnit.SECONDS), "chanscope did not end");
            Chanscope.Run r = cs.finish(chanscope, 1);
            assertEquals(expectedExit, r.exit(), r.err());
            expectedError.ifPresent(e -> {
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertTrue(r.err().contains(e), r.err());
                assertFalse(r.err().contains("Exception"), r.err());
            });
            awaitDetached(p);
            awaitGone(gdbPid);
            if (stopped) {
                assertEquals('T', p.state(), "a stopped process must stay stopped");
                p.signal("CONT");
            } else {
                char s = p.state();
                assertTrue(s == 'R' || s == 'S', "a running process must run again; it is " + s);
            }
            p.sendLine("go");
            assertEquals(0, p.awaitExit(60), p.stderrText());
            assertEquals(AttachBlockedTest.EXPECTED_OUTPUT, AttachBlockedTest.afterReady(p.stdout()));
        }
    }

    /** Waits until chanscope's gdb traces the process and every thread is in a tracing stop; returns gdb's PID. */
    private static int awaitTracer(GoProcess p, Process chanscope) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            int tracer = p.tracerPid();
            if (tracer > 0 && Proc.threadStates(p.pid()).chars().allMatch(c -> c == 't')) {
                return tracer;
            }
            if (!chanscope.isAlive()) {
                fail("chanscope ended before attaching (exit " + chanscope.exitValue() + ")");
            }
            Thread.sleep(10);
        }
        fail("chanscope did not attach");
        return -1;
    }

    private static void awaitHolding(Path marker, Process chanscope) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!java.nio.file.Files.exists(marker) && System.nanoTime() < end) {
            if (!chanscope.isAlive()) {
                fail("chanscope ended before holding the process (exit " + chanscope.exitValue() + ")");
            }
            Thread.sleep(10);
        }
        assertTrue(java.nio.file.Files.exists(marker), "chanscope did not start holding the process in 120 s");
    }

    /** gdb detaches first and exits a moment later. */
    private static void awaitGone(int gdbPid) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(gdbPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertFalse(ProcessHandle.of(gdbPid).map(ProcessHandle::isAlive).orElse(false), "gdb " + gdbPid
                + " must be gone; it is in state " + Proc.state(gdbPid));
    }

    private static void awaitDetached(GoProcess p) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.tracerPid() != 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(0, p.tracerPid(), "nobody may trace the process any more");
    }
}
