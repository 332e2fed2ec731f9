package dev.chanscope.batch;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the cores of a batch, {@code jobs} at a time, each on a thread of its own with its own
 * gdb (the {@link CoreAnalyzer} starts one per call). A core that takes longer than the
 * timeout is recorded as {@code timeout} at once and its thread interrupted, which makes its
 * gdb session kill gdb at the next wait; the slot goes to the next core, whatever the stuck
 * thread does. Each result is handed to the writer as a line and dropped; only its
 * {@link CoreOutcome} stays for the summary.
 */
public final class BatchRunner {
    /** How long finished batches wait for interrupted analyses to wind down (and their gdbs to be killed). */
    private static final Duration WIND_DOWN = Duration.ofSeconds(10);

    /**
     * @param jobs    cores analyzed at once
     * @param timeout per core, from the start of its hashing to its result
     */
    public record Settings(int jobs, Duration timeout) {
        public Settings {
            if (jobs < 1) {
                throw new IllegalArgumentException("jobs must be at least 1");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
        }
    }

    /**
     * @param outcomes   one per distinct core of the run: analyzed now or taken from the output (resumed)
     * @param analyzed   cores analyzed (or failed, or timed out) in this run
     * @param resumed    cores whose line was already in the output
     * @param duplicates inputs skipped because another input had the same content
     * @param stopped    true when the output could not be written and the batch stopped early
     */
    public record Result(List<CoreOutcome> outcomes, int analyzed, int resumed, int duplicates, boolean stopped) {}

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int TIMED_OUT = 2;

    private final CoreAnalyzer analyzer;
    private final Settings settings;
    private final JsonLinesWriter out;
    private final BatchListener listener;

    private final Semaphore slots;
    private final Map<String, Boolean> claimed = new ConcurrentHashMap<>();
    private final List<CoreOutcome> outcomes = new ArrayList<>(); // guarded by this
    private final List<Thread> interrupted = new ArrayList<>(); // guarded by this
    private final AtomicInteger analyzed = new AtomicInteger();
    private final AtomicInteger resumed = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();

    public BatchRunner(CoreAnalyzer analyzer, Settings settings, JsonLinesWriter out, BatchListener listener) {
        this.analyzer = analyzer;
        this.settings = settings;
        this.out = out;
        this.listener = listener;
        this.slots = new Semaphore(settings.jobs());
    }

    /**
     * @param done the outcome already in the output for each content hash to skip ({@code --resume})
     */
    public Result run(List<CorpusFile> cores, Map<String, CoreOutcome> done) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "batch-timeout");
            t.setDaemon(true);
            return t;
        });
        listener.started(cores.size());
        boolean stopped = false;
        try {
            int n = 0;
            for (CorpusFile f : cores) {
                slots.acquireUninterruptibly();
                if (out.failure().isPresent()) {
                    slots.release();
                    stopped = true;
                    break;
                }
                Task task = new Task(f, done);
                Thread t = new Thread(task, "batch-core-" + ++n);
                t.setDaemon(true); // an analysis stuck past its timeout must not keep the JVM alive
                task.thread = t;
                t.start();
                task.timer = timer.schedule(task::timeOut, settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            }
            slots.acquireUninterruptibly(settings.jobs());
        } finally {
            timer.shutdownNow();
        }
        windDown();
        listener.finished();
        synchronized (this) {
            return new Result(List.copyOf(outcomes), analyzed.get(), resumed.get(), duplicates.get(), stopped);
        }
    }

    /** Waits a little for interrupted analyses, so their gdbs are gone before the summary. */
    private void windDown() {
        List<Thread> threads;
        synchronized (this) {
            threads = List.copyOf(interrupted);
        }
        long deadline = System.nanoTime() + WIND_DOWN.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized void settle(BatchListener.How how, Optional<BatchLine> line, CoreOutcome outcome) {
        switch (how) {
            case ANALYZED -> analyzed.incrementAndGet();
            case RESUMED -> resumed.incrementAndGet();
            case DUPLICATE -> duplicates.incrementAndGet();
        }
        line.ifPresent(l -> out.write(l.bytes()));
        if (outcome != null) {
            outcomes.add(outcome);
        }
        listener.settled(how, outcome);
    }

    /** One core: hash, skip when done or a duplicate, analyze, settle, unless the timeout settled it first. */
    private final class Task implements Runnable {
        private final CorpusFile file;
        private final Map<String, CoreOutcome> done;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final long start = System.nanoTime();
        private volatile String sha256;
        volatile Thread thread;
        volatile ScheduledFuture<?> timer;

        Task(CorpusFile file, Map<String, CoreOutcome> done) {
            this.file = file;
            this.done = done;
        }

        @Override
        public void run() {
            Settled s;
            try {
                s = work();
            } catch (ChanscopeException e) {
                s = failed(e.getMessage(), e.exitCode().code());
            } catch (OutOfMemoryError e) { // this core's data is dropped with its stack: the batch goes on
                s = failed("out of memory while analyzing this core (Java heap limit "
                        + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); run it alone with a larger -Xmx",
                        ExitCode.OUT_OF_MEMORY.code());
            } catch (Throwable e) { // NOPMD: a bug on one core must not end the batch
                s = failed("internal error: " + e, ExitCode.INTERNAL.code());
            }
            if (state.compareAndSet(RUNNING, DONE)) {
                ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
                settle(s.how(), s.line(), s.outcome());
                slots.release();
            } else {
                s.line().ifPresent(l -> l.bytes().release()); // timed out meanwhile: the line is not written
            }
        }

        void timeOut() {
            if (!state.compareAndSet(RUNNING, TIMED_OUT)) {
                return;
            }
            BatchLine line = BatchLine.failed(Status.TIMEOUT, file.path().toString(), Optional.ofNullable(sha256),
                    "no result within " + Durations.describe(settings.timeout()) + "; the analysis and its gdb were stopped",
                    Optional.empty(), elapsedMs());
            synchronized (BatchRunner.this) {
                interrupted.add(thread);
            }
            settle(BatchListener.How.ANALYZED, Optional.of(line), line.outcome());
            thread.interrupt();
            slots.release();
        }

        private Settled work() {
            String sha;
            try {
                sha = ContentHash.sha256(file.path());
            } catch (java.nio.file.AccessDeniedException e) {
                return failed("cannot read " + file.path() + ": permission denied", ExitCode.BAD_INPUT.code());
            } catch (IOException e) {
                return failed("cannot read " + file.path() + ": " + e.getMessage(), ExitCode.BAD_INPUT.code());
            }
            sha256 = sha;
            if (state.get() != RUNNING) {
                return failed("stopped", ExitCode.INTERNAL.code()); // timed out while hashing: nothing more to do
            }
            if (claimed.putIfAbsent(sha, Boolean.TRUE) != null) {
                return new Settled(BatchListener.How.DUPLICATE, Optional.empty(), null);
            }
            CoreOutcome prior = done.get(sha);
            if (prior != null) {
                return new Settled(BatchListener.How.RESUMED, Optional.empty(), prior);
            }
            CoreReport report = analyzer.analyze(file.path());
            BatchLine line = BatchLine.analyzed(report, sha, elapsedMs());
            return new Settled(BatchListener.How.ANALYZED, Optional.of(line), line.outcome());
        }

        private Settled failed(String message, int exitCode) {
            BatchLine line = BatchLine.failed(Status.ERROR, file.path().toString(), Optional.ofNullable(sha256),
                    message == null ? "unknown error" : message, Optional.of(exitCode), elapsedMs());
            return new Settled(BatchListener.How.ANALYZED, Optional.of(line), line.outcome());
        }

        private long elapsedMs() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
    }

    private record Settled(BatchListener.How how, Optional<BatchLine> line, CoreOutcome outcome) {}
}
