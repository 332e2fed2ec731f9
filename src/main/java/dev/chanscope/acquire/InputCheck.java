package dev.chanscope.acquire;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The checks made before any unpacking, each failing with a one-line message the user can act on. */
final class InputCheck {
    private InputCheck() {}

    /** @return the size of {@code input}, a non-empty regular file */
    static long requireNonEmptyFile(Path input) {
        if (!Files.exists(input)) {
            throw bad(Files.isSymbolicLink(input)
                    ? input + " is a symbolic link to a file that does not exist"
                    : "no such file: " + input);
        }
        if (Files.isDirectory(input)) {
            throw bad(input + " is a directory; give the core file itself, or a bundle holding it");
        }
        if (!Files.isRegularFile(input)) {
            Path real = input;
            try {
                real = input.toRealPath();
            } catch (IOException e) {
                // name the path as given
            }
            throw bad(input + " is " + dev.chanscope.fs.SafeFiles.kind(real) + ", not a regular file; save it to a file"
                    + " first");
        }
        long size;
        try {
            size = Files.size(input);
        } catch (IOException e) {
            throw cannotRead(input, e);
        }
        if (size == 0) {
            throw bad(input + " is empty (0 bytes): the core was never written, or the copy failed");
        }
        return size;
    }

    /** The first {@link Format#HEAD_BYTES} bytes (fewer for a small file). */
    static byte[] head(Path input) {
        try (InputStream in = Files.newInputStream(input)) {
            return in.readNBytes(Format.HEAD_BYTES);
        } catch (IOException e) {
            throw cannotRead(input, e);
        }
    }

    static ChanscopeException cannotRead(Path input, IOException e) {
        if (e instanceof AccessDeniedException) {
            return bad("cannot read " + input + ": permission denied");
        }
        if (e instanceof NoSuchFileException) {
            return bad("no such file: " + input);
        }
        return bad("cannot read " + input + ": " + InputFault.oneLine(e));
    }

    static ChanscopeException bad(String message) {
        return new ChanscopeException(ExitCode.BAD_INPUT, message);
    }
}
