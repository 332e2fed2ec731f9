package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduling of {@link BatchRunner}: how many analyses run at once, what becomes of a
 * failure, a timeout, a copy and a resumed core. The analyzer here is a stand-in that names
 * its outcome after the file's content; the real analysis runs in {@link BatchCommandTest}.
 */
class BatchRunnerTest {
    @TempDir
    Path dir;

    private final List<String> written = Collections.synchronizedList(new ArrayList<>());

    private JsonLinesWriter writer() {
        return new JsonLinesWriter(line -> written.add(java.nio.charset.StandardCharsets.UTF_8.decode(line).toString()));
    }

    private List<CorpusFile> files(String... contents) throws Exception {
        List<CorpusFile> l = new ArrayList<>();
        int i = 0;
        for (String c : contents) {
            Path p = dir.resolve("core-" + i++);
            Files.writeString(p, c);
            l.add(new CorpusFile(p, p.getFileName().toString()));
        }
        return l;
    }

    private static CoreReport report(Path core, boolean partial) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("schemaVersion", 1);
        r.put("tool", "chanscope test");
        ObjectNode in = r.putObject("input");
        in.put("core", core.toString());
        in.put("binary", "bin");
        in.putArray("layers");
        r.put("partial", partial);
        ObjectNode p = r.putObject("panic");
        p.put("message", "send on closed channel");
        r.putNull("channel");
        ObjectNode d = r.putObject("diagnosis");
        d.put("pattern", "multi-closer");
        d.put("confidence", 0.9);
        r.putArray("warnings");
        return CoreReport.of(r);
    }

    /** "ok", "partial", "fail", "internal", "hang": what the stand-in does for a file of that content. */
    private static CoreReport behave(Path core) {
        try {
            String what = Files.readString(core).replaceAll("\\d+$", "");
            switch (what) {
                case "fail" -> throw new ChanscopeException(ExitCode.BINARY_MISMATCH, "no binary for core " + core);
                case "internal" -> throw new IllegalStateException("a bug");
                case "hang" -> Thread.sleep(60_000);
                default -> { }
            }
            return report(core, what.equals("partial"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChanscopeException(ExitCode.GDB, "interrupted while waiting for gdb");
        }
    }

    @Test
    void neverMoreThanJobsAtOnce() throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CoreAnalyzer a = core -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            return report(core, false);
        };
        JsonLinesWriter w = writer();
        BatchRunner.Result r = new BatchRunner(a, new BatchRunner.Settings(3, Duration.ofMinutes(1)), w, BatchListener.NONE)
                .run(files("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"), Map.of());
        w.close();
        assertEquals(3, most.get());
        assertEquals(10, r.analyzed());
        assertEquals(10, written.size());
    }

    @Test
    void failuresBecomeErrorLinesAndTheRestGoesOn() throws Exception {
        JsonLinesWriter w = writer();
        BatchRunner.Result r = new BatchRunner(BatchRunnerTest::behave, new BatchRunner.Settings(2, Duration.ofMinutes(1)),
                w, BatchListener.NONE).run(files("ok1", "fail1", "internal1", "partial1"), Map.of());
        w.close();
        Map<Status, Integer> s = Summary.of(r.outcomes()).statuses();
        assertEquals(Map.of(Status.OK, 1, Status.PARTIAL, 1, Status.ERROR, 2, Status.TIMEOUT, 0), s);
        String fail = written.stream().filter(l -> l.contains("no binary")).findFirst().orElseThrow();
        assertTrue(fail.contains("\"exitCode\":4"), fail);
        String bug = written.stream().filter(l -> l.contains("a bug")).findFirst().orElseThrow();
        assertTrue(bug.contains("\"exitCode\":70") && bug.contains("internal error"), bug);
    }

    @Test
    void aTimeoutFreesTheSlotAndInterruptsTheAnalysis() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CoreAnalyzer a = core -> {
            try {
                return behave(core);
            } finally {
                if (Thread.currentThread().isInterrupted()) {
                    interrupted.countDown();
                }
            }
        };
        JsonLinesWriter w = writer();
        long start = System.nanoTime();
        BatchRunner.Result r = new BatchRunner(a, new BatchRunner.Settings(1, Duration.ofMillis(300)), w, BatchListener.NONE)
                .run(files("hang1", "ok2", "hang3", "ok4"), Map.of());
        w.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "the hung analyses held the only slot");
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the hung analysis was interrupted");
        assertEquals(2, Summary.of(r.outcomes()).statuses().get(Status.TIMEOUT));
        assertEquals(2, Summary.of(r.outcomes()).statuses().get(Status.OK));
        assertEquals(4, written.size(), "the interrupted analysis's own error is not written: " + written);
    }

    @Test
    void copiesAreAnalyzedOnceAndResumedCoresNotAtAll() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CoreAnalyzer a = core -> {
            calls.incrementAndGet();
            return behave(core);
        };
        List<CorpusFile> in = files("ok1", "ok1", "ok2", "ok3");
        String sha3 = ContentHash.sha256(in.get(3).path());
        CoreOutcome prior = new CoreOutcome(java.util.Optional.of(sha3), "elsewhere/core", Status.ERROR,
                java.util.Optional.empty(), java.util.OptionalDouble.empty(), java.util.Optional.of("earlier"), 5);
        JsonLinesWriter w = writer();
        BatchRunner.Result r = new BatchRunner(a, new BatchRunner.Settings(2, Duration.ofMinutes(1)), w, BatchListener.NONE)
                .run(in, Map.of(sha3, prior));
        w.close();
        assertEquals(2, calls.get());
        assertEquals(2, r.analyzed());
        assertEquals(1, r.duplicates());
        assertEquals(1, r.resumed());
        assertEquals(3, r.outcomes().size(), "the resumed core is in the summary, the copy is not");
        assertTrue(r.outcomes().contains(prior));
        assertEquals(2, written.size());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofSeconds(42), Durations.parse("42"));
        for (String bad : List.of("", "0s", "5 minutes", "m5", "-1s")) {
            try {
                Durations.parse(bad);
                throw new AssertionError(bad + " was accepted");
            } catch (IllegalArgumentException expected) {
                // fine
            }
        }
        assertEquals("5m", Durations.describe(Duration.ofMinutes(5)));
        assertEquals("1h30m", Durations.describe(Duration.ofMinutes(90)));
        assertEquals("1ms", Durations.describe(Duration.ofMillis(1)));
    }
}
