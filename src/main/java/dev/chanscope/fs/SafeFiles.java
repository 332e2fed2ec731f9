package dev.chanscope.fs;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * The one way chanscope creates files. chanscope often runs as root on files from production,
 * and writes next to paths a user chose (a snapshot, a summary, a batch output) in directories
 * others may write to. So every file is created new ({@code O_CREAT|O_EXCL}, which neither
 * follows nor replaces a link, a FIFO or a device planted under the name), private (mode 0600
 * from its creation, never world-readable for an instant: a core holds the process's secrets),
 * under an unguessable temporary name, and renamed into place once complete. A destination that
 * exists and is not a regular file is refused with one line.
 */
public final class SafeFiles {
    /** rw------- */
    public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_ATTR = PosixFilePermissions.asFileAttribute(PRIVATE);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SafeFiles() {
    }

    /**
     * Creates {@code file}, which must not exist (not even as a dangling link), mode 0600, and
     * opens it for writing. Fails with {@link FileAlreadyExistsException} when anything is there.
     */
    public static FileChannel createNew(Path file) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            return (FileChannel) Files.newByteChannel(file, options, PRIVATE_ATTR);
        } catch (UnsupportedOperationException e) {
            return (FileChannel) Files.newByteChannel(file, options); // not a POSIX file system
        }
    }

    /** A new file next to {@code destination}, named {@code .NAME.part-PID-RANDOM}; see {@link #createNew}. */
    public static Temp createTempSibling(Path destination) throws IOException {
        Path dest = destination.toAbsolutePath();
        for (int attempt = 0; ; attempt++) {
            byte[] r = new byte[8];
            RANDOM.nextBytes(r);
            Path tmp = dest.resolveSibling("." + dest.getFileName() + ".part-" + ProcessHandle.current().pid() + "-"
                    + HexFormat.of().formatHex(r));
            try {
                return new Temp(tmp, createNew(tmp));
            } catch (FileAlreadyExistsException e) {
                if (attempt > 8) {
                    throw e;
                }
            }
        }
    }

    /** A file being written under a temporary name, to be {@link #commit committed} into place or deleted. */
    public record Temp(Path path, FileChannel channel) implements AutoCloseable {
        public OutputStream stream() {
            return Channels.newOutputStream(channel);
        }

        /** Closes the file and renames it to {@code destination}, refusing a destination that is not a regular file. */
        public void commit(Path destination) throws IOException {
            if (channel.isOpen()) { // a writer may have closed it already
                channel.close();
            }
            moveIntoPlace(path, destination);
        }

        /** Closes and deletes the temporary file (after a failure). */
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // deleting it is what matters
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    /**
     * Renames {@code source} (a file chanscope created) to {@code destination} in one step. The
     * rename replaces a regular file; anything else at the destination is refused.
     */
    public static void moveIntoPlace(Path source, Path destination) throws IOException {
        checkDestination(destination, "");
        Files.move(source, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes {@code text} to {@code destination}: a new private temporary file renamed into place. */
    public static void writeString(Path destination, String text) throws IOException {
        write(destination, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path destination, byte[] bytes) throws IOException {
        checkDestination(destination, "");
        Temp t = createTempSibling(destination);
        try (t) {
            OutputStream out = t.stream();
            out.write(bytes);
            out.flush();
            t.commit(destination);
        }
    }

    /**
     * What is wrong with {@code destination} as a file to (re)place, or empty when it is absent
     * or a regular file (not followed through a link).
     */
    public static Optional<String> destinationProblem(Path destination) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(destination, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot be checked (" + e.getMessage() + ")");
        }
        if (a.isRegularFile()) {
            return Optional.empty();
        }
        return Optional.of("exists and is " + kind(destination) + ", not a regular file; chanscope replaces only"
                + " regular files");
    }

    /** Throws a one-line {@link ChanscopeException} (USAGE) when {@code destination} exists and is not a regular file. */
    public static void checkDestination(Path destination, String what) {
        destinationProblem(destination).ifPresent(p -> {
            throw new ChanscopeException(ExitCode.USAGE, (what.isEmpty() ? "" : what + " ") + destination + " " + p);
        });
    }

    /** What a path is, in words: "a symbolic link", "a directory", "a named pipe (FIFO)", "a device"... */
    public static String kind(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return "a symbolic link";
            }
            if (a.isDirectory()) {
                return "a directory";
            }
            if (a.isRegularFile()) {
                return "a regular file";
            }
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (mode instanceof Integer m) {
                return switch (m & 0170000) {
                    case 0010000 -> "a named pipe (FIFO)";
                    case 0020000 -> "a character device";
                    case 0060000 -> "a block device";
                    case 0140000 -> "a socket";
                    default -> "a special file";
                };
            }
            return "a special file";
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
    }

    /**
     * Opens {@code file} for appending: a new private file when absent; an existing one only when
     * it is a regular file (a link, FIFO or device under the name is refused, not followed).
     */
    public static FileChannel openAppend(Path file) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Optional<String> problem = destinationProblem(file);
            if (problem.isPresent()) {
                throw new ChanscopeException(ExitCode.USAGE, file + " " + problem.get());
            }
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                        LinkOption.NOFOLLOW_LINKS);
            }
            try {
                return createNew(file);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 2) {
                    throw e;
                }
            }
        }
    }

    /** Private (0700) directories, created as needed. */
    public static void createPrivateDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }
}
