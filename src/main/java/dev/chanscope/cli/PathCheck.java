package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.fs.SafeFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks made on every path the command line takes, before any work: one line that says
 * what is wrong with the path (not found, a dangling link, a directory where a file is wanted
 * or the reverse, a FIFO or device, unreadable), naming the option it came from. Exit code 3.
 */
final class PathCheck {
    private PathCheck() {
    }

    /** A regular, readable file ({@code role}: how the message names it, e.g. "--binary"). */
    static void file(Path p, String role) {
        missing(p, role, "file");
        if (Files.isDirectory(p)) {
            throw bad(role + " " + p + " is a directory, not a file");
        }
        if (!Files.isRegularFile(p)) {
            throw bad(role + " " + p + " is " + SafeFiles.kind(real(p)) + ", not a regular file; save it to a file first");
        }
        if (!Files.isReadable(p)) {
            throw bad(role + " " + p + " cannot be read: permission denied");
        }
    }

    /** A readable directory. */
    static void directory(Path p, String role) {
        missing(p, role, "directory");
        if (!Files.isDirectory(p)) {
            throw bad(role + " " + p + " is " + SafeFiles.kind(real(p)) + ", not a directory");
        }
        if (!Files.isReadable(p) || !Files.isExecutable(p)) {
            throw bad(role + " " + p + " cannot be read: permission denied");
        }
    }

    /** A file or a directory (batch's PATHs), readable. */
    static void fileOrDirectory(Path p, String role) {
        if (Files.isDirectory(p)) {
            directory(p, role);
        } else {
            file(p, role);
        }
    }

    private static void missing(Path p, String role, String what) {
        if (!Files.exists(p)) {
            throw bad(Files.isSymbolicLink(p)
                    ? role + " " + p + " is a symbolic link to something that does not exist"
                    : role + " " + p + ": no such " + what);
        }
    }

    private static Path real(Path p) {
        try {
            return Files.isSymbolicLink(p) ? p.toRealPath() : p;
        } catch (java.io.IOException e) {
            return p.toAbsolutePath(); // name the path as given
        }
    }

    private static ChanscopeException bad(String message) {
        return new ChanscopeException(ExitCode.BAD_INPUT, message.strip());
    }
}
