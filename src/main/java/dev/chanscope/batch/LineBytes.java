package dev.chanscope.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One JSON line's UTF-8 bytes, newline included: in memory, or in a temporary file when the line
 * is too big for memory (a core of a million goroutines makes a line of 2.3 GB, past what one
 * Java array holds). Whoever writes the line releases it.
 */
public sealed interface LineBytes permits LineBytes.InMemory, LineBytes.Spilled {
    long size();

    /** Hands the bytes to {@code sink} in order, in pieces of at most a few MB, each ending on a character boundary. */
    void writeTo(JsonLinesWriter.Sink sink) throws IOException;

    /** Frees what holds the bytes (deletes a temporary file); the line cannot be written after. */
    void release();

    /** The line as text, without its newline (tests, small lines). */
    default String text() {
        if (size() > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a line of " + size() + " bytes does not fit in a string");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) size());
        try {
            writeTo(b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] all = out.toByteArray();
        return new String(all, 0, all.length - 1, StandardCharsets.UTF_8);
    }

    /** Bytes in an array, from 0 to {@code length} (not trimmed: a copy would double a big line). */
    record InMemory(byte[] buffer, int length) implements LineBytes {
        public static InMemory of(byte[] line) {
            return new InMemory(line, line.length);
        }

        @Override
        public long size() {
            return length;
        }

        @Override
        public void writeTo(JsonLinesWriter.Sink sink) throws IOException {
            sink.write(ByteBuffer.wrap(buffer, 0, length));
        }

        @Override
        public void release() {
        }
    }

    /** Bytes in a temporary file of the owner's only (rw-------), deleted on release. */
    record Spilled(Path file, long size) implements LineBytes {
        private static final int PIECE = 4 << 20;

        @Override
        public void writeTo(JsonLinesWriter.Sink sink) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(PIECE);
                boolean end = false;
                while (!end || b.position() > 0) {
                    end = end || ch.read(b) < 0;
                    b.flip();
                    int limit = b.limit();
                    int piece = end ? limit : afterLastAscii(b); // a piece never cuts a character in two
                    b.limit(piece);
                    sink.write(b);
                    b.limit(limit).position(piece); // whatever the sink did with the position
                    b.compact();
                }
            }
        }

        /**
         * Where the last whole character ends: after the last ASCII byte, or before the last
         * lead byte (whose sequence may go on in the next piece), whichever comes later.
         */
        private static int afterLastAscii(ByteBuffer b) {
            for (int i = b.limit() - 1; i >= b.position(); i--) {
                int v = b.get(i) & 0xff;
                if (v < 0x80) {
                    return i + 1;
                }
                if (v >= 0xc0 && i > b.position()) {
                    return i;
                }
            }
            return b.limit();
        }

        @Override
        public void release() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) { // a temporary file left behind is not worth failing a batch for
            }
        }
    }
}
