package dev.chanscope.batch;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a line is written: memory up to {@code spillAbove} bytes, then a temporary file (the
 * memory part first), so that no line is limited by the heap or by the size of a Java array.
 */
final class LineBuffer extends OutputStream {
    private final long spillAbove;
    private Memory memory = new Memory();
    private Path file;
    private OutputStream fileOut;
    private long size;

    LineBuffer(long spillAbove) {
        this.spillAbove = spillAbove;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (fileOut == null && size + len > spillAbove) {
            file = Files.createTempFile("chanscope-line-", ".json"); // rw------- on POSIX
            file.toFile().deleteOnExit(); // a batch stopped by SIGINT or SIGTERM mid-line leaves none behind
            fileOut = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
            memory.writeTo(fileOut);
            memory = null;
        }
        if (fileOut != null) {
            fileOut.write(b, off, len);
        } else {
            memory.write(b, off, len);
        }
        size += len;
    }

    /** The bytes written; the buffer is spent. */
    LineBytes done() throws IOException {
        if (fileOut != null) {
            fileOut.close();
            return new LineBytes.Spilled(file, size);
        }
        return new LineBytes.InMemory(memory.array(), memory.size());
    }

    /** Deletes the temporary file of a line that will not be made after all. */
    void abandon() {
        try {
            if (fileOut != null) {
                fileOut.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) { // best effort: the line failed anyway
        }
    }

    /** A byte buffer that hands out its array instead of a copy. */
    private static final class Memory extends ByteArrayOutputStream {
        Memory() {
            super(4096);
        }

        byte[] array() {
            return buf;
        }
    }
}
