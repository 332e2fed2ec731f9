package dev.chanscope.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Appends JSON lines from one thread, each line one write of its bytes and the newline, so a
 * batch killed at any moment leaves whole lines followed by at most one cut-off line (which
 * {@link JsonLinesFile#repairTail} removes before a {@code --resume}). Workers hand lines over a
 * queue and never wait for the disk.
 */
public final class JsonLinesWriter implements AutoCloseable {
    /** Where lines go: a file, or the command's standard output. */
    public interface Sink {
        /** Writes the buffer's remaining bytes: one line and its newline. */
        void write(ByteBuffer lineWithNewline) throws IOException;

        default void close() throws IOException {
        }
    }

    private static final LineBytes STOP = new LineBytes.InMemory(new byte[0], 0);

    private final Sink sink;
    private final BlockingQueue<LineBytes> queue = new LinkedBlockingQueue<>();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final Thread thread;

    public JsonLinesWriter(Sink sink) {
        this.sink = sink;
        this.thread = new Thread(this::drain, "batch-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** A sink appending to {@code file}, created when missing. */
    public static Sink append(Path file) throws IOException {
        return sink(dev.chanscope.fs.SafeFiles.openAppend(file));
    }

    /** A sink writing to an open file channel (closed with the sink). */
    public static Sink sink(FileChannel ch) {
        return new Sink() {
            @Override
            public void write(ByteBuffer b) throws IOException {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /** Queues one line, its UTF-8 bytes ending with the newline (a {@link BatchLine}'s); released once written. */
    public void write(LineBytes lineWithNewline) {
        queue.add(lineWithNewline);
    }

    /** Queues one line (without its newline). */
    public void write(String line) {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        byte[] withNewline = java.util.Arrays.copyOf(text, text.length + 1);
        withNewline[text.length] = '\n';
        queue.add(LineBytes.InMemory.of(withNewline));
    }

    /** The first write failure (a full disk, a closed pipe), after which nothing more is written. */
    public java.util.Optional<IOException> failure() {
        return java.util.Optional.ofNullable(failure.get());
    }

    /** Writes what is queued, then closes the sink. */
    @Override
    public void close() {
        queue.add(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            sink.close();
        } catch (IOException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void drain() {
        while (true) {
            LineBytes line;
            try {
                line = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (line == STOP) {
                return;
            }
            try {
                if (failure.get() == null) {
                    line.writeTo(sink);
                }
            } catch (IOException | UncheckedIOException e) {
                failure.compareAndSet(null, e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
            } finally {
                line.release();
            }
        }
    }
}
