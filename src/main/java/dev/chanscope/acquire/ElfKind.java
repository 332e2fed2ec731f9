package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a file is an ELF core or an ELF program, read from its first bytes, through its
 * compression layers (a {@code .tar} is not looked into: it is a bundle, not one file). Lets
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

    private final String description;

    ElfKind(String description) {
        this.description = description;
    }

    /** "an ELF core", for messages. */
    public String description() {
        return description;
    }

    /** @throws IOException when the file cannot be opened */
    public static ElfKind of(Path file) throws IOException {
        Files.newInputStream(file).close(); // an unreadable file is the caller's message, not OTHER
        // The same layer-by-layer unwrapping as the analysis (Peeler): only the head is decoded.
        try (InputStream in = Peeler.peelFile(file).stream()) {
            byte[] head = in.readNBytes(Format.HEAD_BYTES);
            Format f = Format.detect(head, head.length);
            return switch (f.kind()) {
                case BUNDLE -> BUNDLE;
                case PLAIN -> ElfHeader.parse(head, head.length)
                        .map(h -> h.isCore() ? CORE : h.isProgram() ? PROGRAM : OTHER).orElse(OTHER);
                case COMPRESSED -> OTHER;
            };
        } catch (IOException | RuntimeException e) {
            // A stream that does not even start decoding is damaged: the analysis says how.
            return OTHER;
        }
    }
}
