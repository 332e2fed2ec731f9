package dev.chanscope.elf;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.proc.MemoryAccessException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds, under directories, the executable whose build id is the core's ({@code
 * --binary-search DIR}): a release directory, an artifact store, a tree of old builds.
 *
 * <p>The walk is bounded ({@link #MAX_DEPTH} levels, {@link #MAX_FILES} files) and cheap per
 * file: four bytes of magic decide whether a file is ELF; only ELF executables are opened.
 * Directory links are not followed (no cycles); links to files are. Entries are visited in name
 * order, so the result does not depend on the file system. Files that are not ELF but that the
 * {@link Unwrapper} recognises (compressed binaries) are tried after all plain ones, at most
 * {@link #MAX_UNWRAPPED} of them and only those of {@link #MIN_COMPRESSED_BYTES} or more, since
 * each is decompressed whole (into the cache).
 */
public final class BuildSearch {
    public static final int MAX_DEPTH = 8;
    public static final int MAX_FILES = 20_000;
    public static final int MAX_UNWRAPPED = 16;
    /**
     * Smaller compressed files are not unwrapped: no Go executable compresses below this (an
     * empty {@code func main(){}} built with Go 1.26 and -ldflags="-s -w" is 1.2 MB, 459 KB as
     * {@code xz -9e}), and man pages and logs should not be unpacked into the cache.
     */
    public static final long MIN_COMPRESSED_BYTES = 256 * 1024;

    /** Compressed candidates: recognised by their first bytes, decompressed (by the acquisition layer) on demand. */
    public interface Unwrapper {
        /** True when {@code head} (up to 512 bytes) starts a compressed file worth unwrapping. */
        boolean recognises(byte[] head);

        /** The decompressed file, or empty when it cannot be had. */
        Optional<Path> unwrap(Path file);

        Unwrapper NONE = new Unwrapper() {
            @Override
            public boolean recognises(byte[] head) {
                return false;
            }

            @Override
            public Optional<Path> unwrap(Path file) {
                return Optional.empty();
            }
        };
    }

    /** A match: the plain file to analyze, and where it was found (the compressed file, for one). */
    public record Found(Path file, Path origin) {}

    /**
     * @param match      the executable whose id equals the core's (preferring one with DWARF)
     * @param files      regular files looked at
     * @param executables ELF executables whose ids were read
     * @param truncated  true when the walk stopped at {@link #MAX_FILES}
     */
    public record Result(Optional<Found> match, int files, int executables, boolean truncated) {
        /** "looked at 12 files (3 executables) under /d" for messages. */
        public String summary(List<Path> dirs) {
            return "looked at " + files + (files == 1 ? " file" : " files") + " (" + executables
                    + (executables == 1 ? " executable" : " executables") + ")" + (truncated ? ", stopping at the limit," : "")
                    + " under " + String.join(", ", dirs.stream().map(Path::toString).toList());
        }
    }

    private final Unwrapper unwrapper;
    private int files;
    private int executables;
    private boolean truncated;
    private final List<Path> compressed = new ArrayList<>();
    private Found strippedMatch;

    public BuildSearch(Unwrapper unwrapper) {
        this.unwrapper = unwrapper;
    }

    /**
     * @throws ChanscopeException (BAD_INPUT) when a search path does not exist
     */
    public Result find(List<Path> roots, BuildIds core) {
        for (Path root : roots) {
            if (!Files.exists(root)) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "--binary-search " + root + ": no such directory");
            }
        }
        if (core.isEmpty()) {
            return new Result(Optional.empty(), 0, 0, false); // nothing to match against
        }
        for (Path root : roots) {
            Optional<Found> m = walk(root, 0, core);
            if (m.isPresent()) {
                return result(m);
            }
        }
        for (Path c : compressed.subList(0, Math.min(compressed.size(), MAX_UNWRAPPED))) {
            Optional<Found> m = tryCompressed(c, core);
            if (m.isPresent()) {
                return result(m);
            }
        }
        return result(Optional.ofNullable(strippedMatch));
    }

    private Result result(Optional<Found> match) {
        return new Result(match, files, executables, truncated);
    }

    private Optional<Found> walk(Path p, int depth, BuildIds core) {
        if (truncated) {
            return Optional.empty();
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            if (depth >= MAX_DEPTH) {
                return Optional.empty();
            }
            List<Path> entries;
            try (Stream<Path> s = Files.list(p)) {
                entries = s.sorted().toList();
            } catch (IOException | SecurityException e) {
                return Optional.empty(); // unreadable directory: search the rest
            }
            for (Path e : entries) {
                Optional<Found> m = walk(e, depth + 1, core);
                if (m.isPresent()) {
                    return m;
                }
            }
            return Optional.empty();
        }
        if (!Files.isRegularFile(p)) {
            return Optional.empty(); // devices, pipes, broken links, links to directories
        }
        if (++files > MAX_FILES) {
            truncated = true;
            files--;
            return Optional.empty();
        }
        byte[] head = head(p);
        if (head.length < 4) {
            return Optional.empty();
        }
        if (head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
            return check(p, p, core);
        }
        if (unwrapper.recognises(head) && size(p) >= MIN_COMPRESSED_BYTES) {
            compressed.add(p);
        }
        return Optional.empty();
    }

    private Optional<Found> tryCompressed(Path p, BuildIds core) {
        Optional<Path> plain;
        try {
            plain = unwrapper.unwrap(p);
        } catch (ChanscopeException e) {
            return Optional.empty(); // a damaged archive among the candidates is not our business
        }
        if (plain.isEmpty()) {
            return Optional.empty();
        }
        byte[] head = head(plain.get());
        if (head.length < 4 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
            return Optional.empty();
        }
        return check(plain.get(), p, core);
    }

    /** Opens an ELF file; returns it when it is an executable with the core's id and debug info. */
    private Optional<Found> check(Path file, Path origin, BuildIds core) {
        try (ElfFile f = ElfFile.open(file)) {
            if (f.type() != ElfFile.ET_EXEC && f.type() != ElfFile.ET_DYN) {
                return Optional.empty();
            }
            executables++;
            if (!BuildMatch.compare(core, BuildIds.of(f)).matches()) {
                return Optional.empty();
            }
            // `strip` keeps the build id notes: a stripped copy next to the original matches too.
            // Keep looking for one with debug information; fall back to the stripped one.
            if (!BuildDebugInfo.of(f).hasDwarf()) {
                if (strippedMatch == null) {
                    strippedMatch = new Found(file, origin);
                }
                return Optional.empty();
            }
            return Optional.of(new Found(file, origin));
        } catch (ChanscopeException | MemoryAccessException e) {
            return Optional.empty(); // damaged or unreadable: not the one
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException | SecurityException e) {
            return 0;
        }
    }

    private static byte[] head(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(512);
        } catch (IOException | SecurityException e) {
            return new byte[0];
        }
    }
}
