package dev.chanscope.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real gdb on PATH (or $CHANSCOPE_GDB). These tests do not skip when gdb is
 * missing: chanscope cannot work without it, so neither can its build.
 */
class GdbSessionTest {

    private static final Duration TEST_LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void startsAndReportsItsVersion() {
        try (GdbSession gdb = GdbSession.start()) {
            GdbVersion v = gdb.version();
            assertTrue(v.atLeast(12, 1), v.toString());
            assertTrue(v.text().startsWith("GNU gdb"), v.text());
        }
    }

    @Test
    void evaluatesAnExpression() {
        try (GdbSession gdb = GdbSession.start()) {
            MiResult r = gdb.execute("-data-evaluate-expression 1+2");
            assertEquals("done", r.resultClass());
            assertEquals("3", r.results().string("value").orElseThrow());
            assertEquals("", r.consoleOutput());
        }
    }

    @Test
    void startupSettingsAreInEffect() {
        try (GdbSession gdb = GdbSession.start()) {
            String autoLoad = gdb.console("show auto-load");
            for (String kind : List.of("gdb-scripts", "libthread-db", "local-gdbinit", "python-scripts")) {
                assertTrue(autoLoad.lines().anyMatch(l -> l.startsWith("auto-load " + kind + ":") && l.endsWith(" is off.")),
                        autoLoad);
            }
            assertTrue(gdb.console("show debuginfod enabled").contains("set to \"off\""));
            assertTrue(gdb.console("show pagination").contains("is off"));
            assertTrue(gdb.console("show confirm").contains("is off"));
            assertTrue(gdb.console("show height").contains("unlimited"));
            assertTrue(gdb.console("show width").contains("unlimited"));
            assertTrue(gdb.console("show print pretty").contains("is off"));
            assertFalse(gdb.console("show environment").contains("DEBUGINFOD_URLS="));
            assertTrue(gdb.console("show environment").contains("LC_ALL=C.UTF-8"));
        }
    }

    @Test
    void errorRecordBecomesGdbCommandException() {
        try (GdbSession gdb = GdbSession.start()) {
            GdbCommandException e = assertThrows(GdbCommandException.class,
                    () -> gdb.execute("-data-evaluate-expression nosuchsymbol"));
            assertEquals("No symbol table is loaded.  Use the \"file\" command.", e.getMessage());
            assertEquals("-data-evaluate-expression nosuchsymbol", e.command());
            assertEquals(ExitCode.GDB, e.exitCode());
            // An error does not break the session.
            assertEquals("7", gdb.execute("-data-evaluate-expression 3+4").results().string("value").orElseThrow());
        }
    }

    @Test
    void consoleReturnsPrintedTextAndLogKeepsErrors() {
        try (GdbSession gdb = GdbSession.start()) {
            assertEquals("hello world\n", gdb.console("echo hello world\\n"));
            assertThrows(GdbCommandException.class, () -> gdb.console("info frame"));
            assertTrue(gdb.recentLog().contains("No stack."), gdb.recentLog().toString());
            assertTrue(gdb.recentAsyncRecords().stream().anyMatch(a -> a.asyncClass().equals("thread-group-added")));
        }
    }

    @Test
    void consoleCarriesAnyTextThroughGdbAndBack() {
        // echo prints its argument raw (it only interprets backslashes, so none are used) and
        // gdb escapes it again on the way out: quoting and unescaping must meet in the middle.
        String text = "h\u00e9llo \u20ac \uD83D\uDE00 \"quoted\" tab\tcr\r esc\u001b del\u007f end";
        try (GdbSession gdb = GdbSession.start()) {
            assertEquals(text, gdb.console("echo " + text));
        }
    }

    @Test
    void lineBreaksInCommandsAreRejected() {
        try (GdbSession gdb = GdbSession.start()) {
            assertThrows(IllegalArgumentException.class, () -> gdb.execute("-gdb-version\n-gdb-exit"));
            assertThrows(IllegalArgumentException.class, () -> gdb.execute("  "));
            assertEquals("done", gdb.execute("  -gdb-version  ").resultClass());
        }
    }

    @Test
    void loadsAnExecutable() {
        try (GdbSession gdb = GdbSession.start()) {
            gdb.loadExecutable(Path.of("/bin/true"));
            String files = gdb.console("info files");
            assertTrue(files.contains("file type elf64") || files.contains("file type elf32"), files);
        }
    }

    @Test
    void loadsAnExecutableAndCoreFromAHostilePath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dir with \"quotes\", 'single', back\\slash\nnewline \u00e9 ~x:~y"));
        Path binary = Files.copy(realBinary(), dir.resolve("tr ue\t"));
        Path core = makeCore(dir.resolve("co\"re\n1"));
        try (GdbSession gdb = GdbSession.start()) {
            gdb.loadExecutable(binary);
            assertTrue(gdb.console("info files").contains("Symbols from \"" + binary + "\""));
            gdb.openCore(core);
            String target = gdb.console("info target");
            assertTrue(target.contains("Local core dump file:\n\t`" + core + "'"), target);
            assertFalse(gdb.execute("-thread-info").results().get("threads").isEmpty());
        }
    }

    /** gdb's CLI strips a trailing blank from a path: such a core is opened through a private link (was exit 5). */
    @Test
    void opensACoreWhosePathEndsInWhitespace() throws Exception {
        Path core = makeCore(tmp.resolve("core \t "));
        try (GdbSession gdb = GdbSession.start()) {
            gdb.loadExecutable(realBinary());
            gdb.openCore(core);
            assertFalse(gdb.execute("-thread-info").results().get("threads").isEmpty());
        }
    }

    @Test
    void missingFilesAreCommandErrors() {
        try (GdbSession gdb = GdbSession.start()) {
            Path missing = tmp.resolve("no such binary");
            GdbCommandException e = assertThrows(GdbCommandException.class, () -> gdb.loadExecutable(missing));
            assertTrue(e.getMessage().contains(missing + ": No such file or directory"), e.getMessage());
            e = assertThrows(GdbCommandException.class, () -> gdb.openCore(Path.of("/bin/true")));
            assertTrue(e.getMessage().contains("is not a core dump"), e.getMessage());
            GdbCommandException trailing = assertThrows(GdbCommandException.class, () -> gdb.openCore(tmp.resolve("core ")));
            assertTrue(trailing.getMessage().contains("No such file or directory"), trailing.getMessage());
        }
    }

    @Test
    void timeoutStopsGdbAndItsChildrenAndBreaksTheSession() throws Exception {
        GdbSession gdb = GdbSession.start();
        List<ProcessHandle> children = new ArrayList<>();
        Thread spy = new Thread(() -> {
            sleep(150);
            gdb.processHandle().descendants().forEach(children::add);
        });
        spy.start();
        long start = System.nanoTime();
        String command = MiQuote.console("shell sleep 5");
        GdbException e = assertThrows(GdbException.class, () -> gdb.execute(command, Duration.ofMillis(400)));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        spy.join();
        assertTrue(elapsedMs < 3000, "took " + elapsedMs + " ms");
        assertEquals("gdb did not answer within 400 ms: " + command + " (gdb was stopped; start a new session)",
                e.getMessage());
        assertFalse(gdb.processHandle().isAlive());
        assertFalse(children.isEmpty(), "the shell command should have been running");
        for (ProcessHandle child : children) {
            child.onExit().get(10, TimeUnit.SECONDS); // generous: CI machines are busy
        }

        long before = System.nanoTime();
        GdbException again = assertThrows(GdbException.class, () -> gdb.execute("-gdb-version"));
        assertTrue((System.nanoTime() - before) < 100_000_000L, "fails fast");
        assertTrue(again.getMessage().startsWith("gdb session is unusable: gdb did not answer within 400 ms"),
                again.getMessage());
        gdb.close();
        gdb.close();
    }

    @Test
    void gdbKilledWhileIdleFailsTheNextCommand() throws Exception {
        try (GdbSession gdb = GdbSession.start()) {
            gdb.processHandle().destroyForcibly();
            gdb.processHandle().onExit().get(5, TimeUnit.SECONDS);
            GdbException e = assertTimeoutPreemptively(TEST_LIMIT,
                    () -> assertThrows(GdbException.class, () -> gdb.execute("-data-evaluate-expression 1")));
            assertTrue(e.getMessage().contains("gdb exited unexpectedly (exit code 137, killed by signal 9)"),
                    e.getMessage());
        }
    }

    @Test
    void gdbKilledDuringACommandFailsItPromptly() {
        try (GdbSession gdb = GdbSession.start()) {
            // The shell child keeps gdb's stdout open after gdb dies: the session must notice the
            // exit itself, not wait for the end of output or for the timeout.
            Thread killer = new Thread(() -> {
                sleep(300);
                gdb.processHandle().destroyForcibly();
            });
            killer.start();
            String command = MiQuote.console("shell sleep 4");
            long start = System.nanoTime();
            GdbException e = assertThrows(GdbException.class, () -> gdb.execute(command, TEST_LIMIT));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs < 3000, "took " + elapsedMs + " ms");
            assertTrue(e.getMessage().startsWith(
                    "gdb exited unexpectedly (exit code 137, killed by signal 9) while running " + command + ": "),
                    e.getMessage());
        }
    }

    @Test
    void gdbMissingFromConfiguredPath() {
        GdbException e = assertThrows(GdbException.class,
                () -> GdbSession.start(java.util.Map.of("CHANSCOPE_GDB", "/nonexistent/bin/gdb")));
        assertEquals("gdb not found (CHANSCOPE_GDB=/nonexistent/bin/gdb): install it (Debian/Ubuntu: apt-get install gdb)"
                + " or set CHANSCOPE_GDB to its path", e.getMessage());
        assertEquals(ExitCode.GDB, e.exitCode());

        e = assertThrows(GdbException.class, () -> GdbSession.start("/nonexistent/bin/gdb"));
        assertTrue(e.getMessage().startsWith("gdb not found (/nonexistent/bin/gdb): install it"), e.getMessage());
    }

    @Test
    void blankConfiguredPathMeansGdbOnPath() {
        try (GdbSession gdb = GdbSession.start(java.util.Map.of("CHANSCOPE_GDB", " "))) {
            assertTrue(gdb.version().atLeast(12, 1));
        }
    }

    @Test
    void environmentDropsDebuginfodAndFixesTheLocale() {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of(
                "DEBUGINFOD_URLS", "https://debuginfod.example", "LC_ALL", "de_DE.UTF-8", "HOME", "/root"));
        GdbLauncher.prepareEnvironment(env);
        assertEquals(java.util.Map.of("LC_ALL", "C.UTF-8", "HOME", "/root"), env);
    }

    @Test
    void notExecutableIsACleanError() throws Exception {
        Path notExecutable = Files.writeString(tmp.resolve("gdb"), "not a program");
        GdbException e = assertThrows(GdbException.class, () -> GdbSession.start(notExecutable.toString()));
        assertTrue(e.getMessage().startsWith("cannot start gdb " + notExecutable), e.getMessage());
    }

    @Test
    void oldGdbSpeakingMiIsRejected() throws Exception {
        Path fake = FakeGdb.write(tmp, "GNU gdb 8.1", null);
        GdbException e = assertThrows(GdbException.class, () -> GdbSession.start(fake.toString()));
        assertEquals("gdb 8.1 is too old: chanscope needs gdb 12.1 or newer (found \"GNU gdb 8.1\" at " + fake
                + "); install a newer gdb or set CHANSCOPE_GDB to one", e.getMessage());
    }

    @Test
    void oldGdbWithoutMi3IsRejectedByItsVersion() throws Exception {
        Path fake = FakeGdb.writeWithoutMi3(tmp, "GNU gdb (GDB) 8.1");
        GdbException e = assertTimeoutPreemptively(TEST_LIMIT,
                () -> assertThrows(GdbException.class, () -> GdbSession.start(fake.toString())));
        assertTrue(e.getMessage().startsWith("gdb 8.1 is too old: chanscope needs gdb 12.1 or newer"), e.getMessage());
    }

    @Test
    void gdbThatDiesAtStartupReportsItsStderr() throws Exception {
        Path fake = FakeGdb.writeWithoutMi3(tmp, "something else entirely");
        GdbException e = assertThrows(GdbException.class, () -> GdbSession.start(fake.toString()));
        // Depending on timing gdb is gone before or after the first command was sent.
        assertTrue(e.getMessage().contains("gdb exited unexpectedly (exit code 1)"), e.getMessage());
        assertTrue(e.getMessage().contains("Interpreter `mi3' unrecognized"), e.getMessage());
    }

    @Test
    void malformedAnswerFailsTheCommandAtOnce() throws Exception {
        Path fake = FakeGdb.write(tmp, "GNU gdb (Fake) 13.1", "^done,value=\\\"unterminated");
        try (GdbSession gdb = GdbSession.start(fake.toString())) {
            GdbException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(GdbException.class, () -> gdb.execute("-data-evaluate-expression 1")));
            assertTrue(e.getMessage().startsWith("malformed gdb/MI output at column 14 (unterminated string): 2^done"),
                    e.getMessage());
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() {
        GdbSession gdb = GdbSession.start();
        ProcessHandle process = gdb.processHandle();
        gdb.close();
        assertFalse(process.isAlive());
        gdb.close();
        GdbException e = assertThrows(GdbException.class, () -> gdb.execute("-gdb-version"));
        assertEquals("gdb session is closed", e.getMessage());
    }

    @Test
    void closeFromAnotherThreadEndsARunningCommand() {
        GdbSession gdb = GdbSession.start();
        Thread closer = new Thread(() -> {
            sleep(300);
            gdb.close();
        });
        closer.start();
        String command = MiQuote.console("shell sleep 4");
        long start = System.nanoTime();
        GdbException e = assertThrows(GdbException.class, () -> gdb.execute(command, TEST_LIMIT));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 3500);
        assertEquals("gdb session was closed while running " + command, e.getMessage());
    }

    @Test
    void commandsFromManyThreadsGetTheirOwnAnswers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (GdbSession gdb = GdbSession.start()) {
            List<Future<Boolean>> checks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                checks.add(pool.submit(() -> {
                    boolean value = gdb.execute("-data-evaluate-expression " + n + "*3")
                            .results().string("value").orElseThrow().equals(String.valueOf(n * 3));
                    boolean console = gdb.console("echo " + n + "\\n").equals(n + "\n");
                    return value && console;
                }));
            }
            for (Future<Boolean> check : checks) {
                assertTrue(check.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void measuresRoundTripThroughput() {
        try (GdbSession gdb = GdbSession.start()) {
            for (int i = 0; i < 200; i++) {
                gdb.execute("-data-evaluate-expression " + i + "+1");
            }
            int n = 3000;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                gdb.execute("-data-evaluate-expression " + i + "+1");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("gdb/MI throughput: %d -data-evaluate-expression round trips in %.3f s = %.0f/s (%.1f us each)%n",
                    n, seconds, n / seconds, seconds * 1e6 / n);
        }
    }

    // ---- helpers ----

    /** A real ELF to copy: tests must not need Go. */
    private static Path realBinary() {
        for (String candidate : List.of("/bin/true", "/usr/bin/true", "/bin/sleep")) {
            if (Files.isRegularFile(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new AssertionError("no /bin/true to copy");
    }

    /**
     * Writes a small core of /bin/true with gdb's own gcore (start it, stop at the first
     * instruction, dump), then moves it to {@code target}: works wherever gdb can debug.
     */
    private Path makeCore(Path target) throws Exception {
        Path plain = tmp.resolve("plain.core");
        try (GdbSession gdb = GdbSession.start()) {
            gdb.loadExecutable(realBinary());
            gdb.execute("-inferior-tty-set /dev/null");
            gdb.console("starti");
            gdb.console("gcore " + plain);
            gdb.console("kill");
        }
        return Files.move(plain, target);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
