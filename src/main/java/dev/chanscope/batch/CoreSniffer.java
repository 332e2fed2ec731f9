package dev.chanscope.batch;

import dev.chanscope.acquire.Decompressors;
import dev.chanscope.acquire.Format;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells the cores in a directory from everything else by content, reading the first bytes only:
 * an ELF core; a tar or zip bundle (it may hold one: the analysis decides); a compressed file
 * whose first decompressed bytes are one of those. A compressed file is decompressed only as far
 * as its first 512 bytes, so a directory of cores and their compressed binaries (the layout of
 * {@code sample-cores/}) is sorted without unpacking anything whole.
 */
final class CoreSniffer {
    /** What a file is, for the batch. */
    enum Kind {
        /** A core, a bundle, or something that looks like one but is damaged: analyzed (a damaged one becomes an error line). */
        CORE,
        /** An ELF executable or shared object, plain or compressed: a binary, not a core. */
        EXECUTABLE,
        /** A text file holding a Go traceback ({@link LogFiles}): analyzed with {@code chanscope log}. */
        LOG,
        /** Anything else: skipped. */
        OTHER
    }

    private static final int E_TYPE = 16;
    private static final int ET_REL = 1;
    private static final int ET_EXEC = 2;
    private static final int ET_DYN = 3;
    private static final int ET_CORE = 4;

    private CoreSniffer() {
    }

    /** @throws IOException when the file cannot be read */
    static Kind classify(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(Format.HEAD_BYTES);
        }
        Kind k = classify(head, file, 0);
        return k == Kind.OTHER && LogFiles.looksLikeText(head) && LogFiles.isLog(file) ? Kind.LOG : k;
    }

    private static Kind classify(byte[] head, Path file, int depth) {
        Format f = Format.detect(head, head.length);
        return switch (f.kind()) {
            case BUNDLE -> Kind.CORE;
            // An empty file is most likely a core never written: its error line says so.
            case PLAIN -> f == Format.ELF ? elf(head) : head.length == 0 ? Kind.CORE : Kind.OTHER;
            case COMPRESSED -> depth > 0 ? Kind.CORE : compressed(f, file);
        };
    }

    /** e_type decides; a header cut too short to hold it is a damaged core, worth an error line. */
    private static Kind elf(byte[] head) {
        if (head.length < E_TYPE + 2) {
            return Kind.CORE;
        }
        boolean little = head[5] != 2; // EI_DATA: 2 is big-endian
        int type = little ? (head[E_TYPE] & 0xff) | (head[E_TYPE + 1] & 0xff) << 8
                : (head[E_TYPE] & 0xff) << 8 | (head[E_TYPE + 1] & 0xff);
        return switch (type) {
            case ET_CORE -> Kind.CORE;
            case ET_EXEC, ET_DYN -> Kind.EXECUTABLE;
            case ET_REL -> Kind.OTHER; // an object file
            // ELF magic with an e_type no file has: a damaged core, which gets an error line.
            default -> Kind.CORE;
        };
    }

    /**
     * The first decompressed bytes decide; a stream that cannot even start decoding is likely a
     * damaged core (the analysis then says what is wrong with it).
     */
    private static Kind compressed(Format f, Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             InputStream in = Decompressors.open(f, raw)) {
            byte[] inner = in.readNBytes(Format.HEAD_BYTES);
            return inner.length == 0 ? Kind.CORE : classify(inner, file, 1);
        } catch (IOException | RuntimeException e) {
            return Kind.CORE;
        }
    }
}
