package dev.chanscope.acquire;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Removes compression layers one after another (gzip of xz, zstd of tar...), deciding each by
 * peeking at the magic bytes of the data the previous layer produced. Everything streams:
 * nothing between layers is written to disk or held whole in memory.
 */
final class Peeler {
    /** Containers (compressions and bundles) deeper than this are refused. */
    static final int MAX_DEPTH = 4;

    private static final int BUFFER = 1 << 16;

    private final long streamCap;
    private final long maxCoreSize;

    /**
     * @param streamCap    limit on what any one decoder may produce (bomb fuse for data that
     *                     is not written, such as a tar stream that is only scanned)
     * @param maxCoreSize  the user's --max-core-size, for the message
     */
    Peeler(long streamCap, long maxCoreSize) {
        this.streamCap = streamCap;
        this.maxCoreSize = maxCoreSize;
    }

    /**
     * A whole file's innermost data, streamed: only as much is decoded as is read. For readers
     * that stop after the first bytes (build ids, the ELF type), so no size cap applies.
     */
    static Peeled peelFile(java.nio.file.Path file) throws IOException {
        InputStream raw = java.nio.file.Files.newInputStream(file);
        try {
            long cap = Long.MAX_VALUE / 4;
            return new Peeler(cap, cap).peel(raw, List.of(), Origin.file(java.nio.file.Files.size(file)));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    Peeled peel(InputStream source, List<Format> outer, Origin origin) throws IOException {
        List<Format> layers = new ArrayList<>(outer);
        PushbackInputStream current = new PushbackInputStream(source, Format.HEAD_BYTES);
        Format previous = null;
        try {
            while (true) {
                byte[] head = peek(current);
                Format format = Format.detect(head, head.length);
                String hint = previous == null ? origin.truncatedHint() : origin.innerTruncatedHint(previous);
                if (format.kind() != Format.Kind.COMPRESSED) {
                    return new Peeled(current, format, head, List.copyOf(layers), hint);
                }
                requireDepth(layers, format, origin);
                current = unwrap(current, format, origin, hint);
                layers.add(format);
                previous = format;
            }
        } catch (IOException | RuntimeException e) {
            // Decoders opened so far hold native memory (zstd) until closed.
            closeQuietly(current, e);
            throw e;
        }
    }

    /**
     * Input side buffered (xz and bzip2 read their input a few bytes at a time); output side
     * only able to push back the peeked head, so that peeking decodes just those bytes: a member
     * damaged further in is still recognised as a core or not before it fails.
     */
    private PushbackInputStream unwrap(InputStream compressed, Format format, Origin origin, String hint)
            throws IOException {
        EofWatch watch = new EofWatch(compressed);
        InputStream input = new BufferedInputStream(watch, BUFFER);
        LayerGuard.Blame blame = new LayerGuard.Blame(origin, format, watch::reachedEnd, hint);
        InputStream decoder = LayerGuard.guarded(blame, () -> Decompressors.open(format, input));
        InputStream capped = new CappedStream(new LayerGuard(decoder, blame), streamCap,
                () -> InputFault.overStreamCap(origin.prefix() + "the " + format.label() + " data", maxCoreSize));
        return new PushbackInputStream(capped, Format.HEAD_BYTES);
    }

    private static void closeQuietly(InputStream in, Exception failure) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    static void requireDepth(List<Format> layers, Format next, Origin origin) throws InputFault {
        if (layers.size() >= MAX_DEPTH) {
            String chain = layers.stream().map(Format::label).collect(Collectors.joining(" → "));
            throw new InputFault(origin.prefix() + "nested more than " + MAX_DEPTH + " containers deep ("
                    + chain + " → " + next.label() + "); unpack some layers by hand");
        }
    }

    /** Reads the first bytes and pushes them back, so the next layer still sees them. */
    private static byte[] peek(PushbackInputStream in) throws IOException {
        byte[] head = in.readNBytes(Format.HEAD_BYTES);
        in.unread(head);
        return head;
    }
}
