package dev.chanscope.acquire;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a file is an ELF core or an ELF program, read from its first bytes, through up to two
 * layers of compression (a {@code .tar} is not looked into: it is a bundle, not one file). Lets
 * the command line take {@code BIN CORE} in either order, as {@code gdb} and {@code dlv core} do.
 */
public enum ElfKind {
    /** ET_CORE. */
    CORE("an ELF core"),
    /** ET_EXEC or ET_DYN. */
    PROGRAM("an ELF executable"),
    /** A tar or zip: may hold both. */
    BUNDLE("a tar or zip bundle"),
    /** Any other ELF type, or not ELF, or damaged compression. */
    OTHER("neither an ELF core nor an ELF executable");

    private static final int MAX_LAYERS = 2;

    private final String description;

    ElfKind(String description) {
        this.description = description;
    }

    /** "an ELF core", for messages. */
    public String description() {
        return description;
    }

    /** @throws IOException when the file cannot be opened or read */
    public static ElfKind of(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return of(in, 0);
        }
    }

    private static ElfKind of(InputStream in, int depth) throws IOException {
        byte[] head = in.readNBytes(Format.HEAD_BYTES);
        Format f = Format.detect(head, head.length);
        return switch (f.kind()) {
            case BUNDLE -> BUNDLE;
            case PLAIN -> ElfHeader.parse(head, head.length)
                    .map(h -> h.isCore() ? CORE : h.isProgram() ? PROGRAM : OTHER).orElse(OTHER);
            case COMPRESSED -> depth >= MAX_LAYERS ? OTHER : inner(f, head, in, depth);
        };
    }

    private static ElfKind inner(Format f, byte[] head, InputStream rest, int depth) throws IOException {
        InputStream whole = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), rest);
        try (InputStream in = Decompressors.open(f, new BufferedInputStream(whole))) {
            return of(new BufferedInputStream(in), depth + 1);
        } catch (IOException | RuntimeException e) {
            // A stream that does not even start decoding is damaged: the analysis says how.
            return OTHER;
        }
    }
}
