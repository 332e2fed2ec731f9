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
 * <p>The search is in two steps. {@link #index} walks the directories once and reads the build
 * ids of every executable there; {@link Index#find} then looks a core's ids up, as often as
 * there are cores ({@code batch} builds one index for all of them). The walk is bounded
 * ({@link #MAX_DEPTH} levels, {@link #MAX_FILES} files) and cheap per file: four bytes of magic
 * decide whether a file is ELF; only ELF executables are opened. Directory links are not
 * followed (no cycles); links to files are. Entries are visited in name order, so the result
 * does not depend on the file system.
 *
 * <p>Files that are not ELF but that the {@link Unwrapper} recognises (compressed binaries, of
 * {@link #MIN_COMPRESSED_BYTES} or more) are decoded only as far as their ELF header, program
 * headers and build-id notes ({@link ElfPrefix}): a few KB each, however many there are. Only
 * the one that matches is decompressed whole (into the cache), and one whose notes are not in
 * its first {@link ElfPrefix#MAX_BYTES} only when nothing else matched.
 */
public final class BuildSearch {
    public static final int MAX_DEPTH = 8;
    public static final int MAX_FILES = 20_000;
    /**
     * Smaller compressed files are not looked into: no Go executable compresses below this (an
     * empty {@code func main(){}} built with Go 1.26 and -ldflags="-s -w" is 1.2 MB, 459 KB as
     * {@code xz -9e}), and man pages and logs need not be decoded.
     */
    public static final long MIN_COMPRESSED_BYTES = 256 * 1024;

    /** Compressed candidates: recognised by their first bytes, read as a stream, decompressed whole on demand. */
    public interface Unwrapper {
        /** True when {@code head} (up to 512 bytes) starts a compressed file worth looking into. */
        boolean recognises(byte[] head);

        /** The decompressed data of a recognised file, decoded only as far as it is read. */
        InputStream open(Path file) throws IOException;

        /** The decompressed file, or empty when it cannot be had. */
        Optional<Path> unwrap(Path file);

        Unwrapper NONE = new Unwrapper() {
            @Override
            public boolean recognises(byte[] head) {
                return false;
            }

            @Override
            public InputStream open(Path file) throws IOException {
                throw new IOException("no decompression");
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

    /** An executable of the index: a plain file, or a compressed one with the ids of its first bytes. */
    public record Candidate(Path file, BuildIds ids, boolean compressed, boolean dwarf) {}

    /**
     * The executables under the directories, with their build ids. Immutable: one index serves
     * every core of a batch, from any thread.
     *
     * @param unread            compressed executables whose notes are not in their first bytes
     * @param decompressedBytes bytes decoded from compressed candidates to build the index
     */
    public record Index(List<Candidate> candidates, List<Path> unread, int files, int executables,
                        boolean truncated, long decompressedBytes) {
        public Index {
            candidates = List.copyOf(candidates);
            unread = List.copyOf(unread);
        }

        /**
         * The executable whose id is the core's: plain files first, then compressed ones (each
         * decompressed through {@code unwrapper} only when its ids match), one with DWARF
         * before a stripped copy with the same ids.
         */
        public Result find(BuildIds core, Unwrapper unwrapper) {
            if (core.isEmpty()) {
                return result(Optional.empty()); // nothing to match against
            }
            Found stripped = null;
            for (Candidate c : candidates) {
                if (!BuildMatch.compare(core, c.ids()).matches()) {
                    continue;
                }
                if (!c.compressed()) {
                    if (c.dwarf()) {
                        return result(Optional.of(new Found(c.file(), c.file())));
                    }
                    stripped = stripped == null ? new Found(c.file(), c.file()) : stripped;
                    continue;
                }
                Optional<Checked> checked = unwrapAndCheck(c.file(), core, unwrapper);
                if (checked.isPresent() && checked.get().dwarf()) {
                    return result(Optional.of(checked.get().found()));
                }
                if (checked.isPresent() && stripped == null) {
                    stripped = checked.get().found();
                }
            }
            if (stripped == null) {
                for (Path p : unread) {
                    Optional<Checked> checked = unwrapAndCheck(p, core, unwrapper);
                    if (checked.isPresent() && checked.get().dwarf()) {
                        return result(Optional.of(checked.get().found()));
                    }
                    if (checked.isPresent() && stripped == null) {
                        stripped = checked.get().found();
                    }
                }
            }
            return result(Optional.ofNullable(stripped));
        }

        private Result result(Optional<Found> match) {
            return new Result(match, files, executables, truncated);
        }
    }

    private record Checked(Found found, boolean dwarf) {}

    private final Unwrapper unwrapper;
    private final List<Candidate> plain = new ArrayList<>();
    private final List<Candidate> compressed = new ArrayList<>();
    private final List<Path> unread = new ArrayList<>();
    private int files;
    private int executables;
    private boolean truncated;
    private long decompressedBytes;

    public BuildSearch(Unwrapper unwrapper) {
        this.unwrapper = unwrapper;
    }

    /** Indexes the directories and looks one core up: for a single analysis. */
    public Result find(List<Path> roots, BuildIds core) {
        return index(roots).find(core, unwrapper);
    }

    /**
     * Walks the directories once and reads every executable's build ids. One call per instance.
     *
     * @throws ChanscopeException (BAD_INPUT) when a search path does not exist
     */
    public Index index(List<Path> roots) {
        for (Path root : roots) {
            if (!Files.exists(root)) {
                throw new ChanscopeException(ExitCode.BAD_INPUT, "--binary-search " + root + ": no such directory");
            }
        }
        for (Path root : roots) {
            walk(root, 0);
        }
        List<Candidate> all = new ArrayList<>(plain);
        all.addAll(compressed);
        return new Index(all, unread, files, executables, truncated, decompressedBytes);
    }

    private void walk(Path p, int depth) {
        if (truncated) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            if (depth >= MAX_DEPTH) {
                return;
            }
            List<Path> entries;
            try (Stream<Path> s = Files.list(p)) {
                entries = s.sorted().toList();
            } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
                return; // unreadable directory: search the rest
            }
            for (Path e : entries) {
                walk(e, depth + 1);
            }
            return;
        }
        if (!Files.isRegularFile(p)) {
            return; // devices, pipes, broken links, links to directories
        }
        if (++files > MAX_FILES) {
            truncated = true;
            files--;
            return;
        }
        byte[] head = head(p);
        if (head.length < 4) {
            return;
        }
        if (head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
            indexPlain(p);
        } else if (unwrapper.recognises(head) && size(p) >= MIN_COMPRESSED_BYTES) {
            indexCompressed(p);
        }
    }

    private void indexPlain(Path p) {
        try (ElfFile f = ElfFile.open(p)) {
            if (f.type() != ElfFile.ET_EXEC && f.type() != ElfFile.ET_DYN) {
                return;
            }
            executables++;
            plain.add(new Candidate(p, BuildIds.of(f), false, BuildDebugInfo.of(f).hasDwarf()));
        } catch (ChanscopeException | MemoryAccessException e) {
            // damaged or unreadable: not the one
        }
    }

    private void indexCompressed(Path p) {
        ElfPrefix prefix;
        try (InputStream in = unwrapper.open(p)) {
            prefix = ElfPrefix.read(in);
        } catch (IOException | RuntimeException e) {
            return; // a damaged archive among the candidates is not our business
        }
        decompressedBytes += prefix.bytesRead();
        if (!prefix.executable()) {
            return;
        }
        executables++;
        if (prefix.ids().isPresent()) {
            compressed.add(new Candidate(p, prefix.ids().get(), true, false));
        } else {
            unread.add(p);
        }
    }

    /** Decompresses a candidate whole and checks the plain file's own ids: its first bytes might not be the whole story. */
    private static Optional<Checked> unwrapAndCheck(Path p, BuildIds core, Unwrapper unwrapper) {
        Optional<Path> plain;
        try {
            plain = unwrapper.unwrap(p);
        } catch (ChanscopeException e) {
            return Optional.empty(); // a damaged archive among the candidates is not our business
        }
        if (plain.isEmpty()) {
            return Optional.empty();
        }
        try (ElfFile f = ElfFile.open(plain.get())) {
            if ((f.type() != ElfFile.ET_EXEC && f.type() != ElfFile.ET_DYN)
                    || !BuildMatch.compare(core, BuildIds.of(f)).matches()) {
                return Optional.empty();
            }
            // `strip` keeps the build id notes: a stripped copy next to the original matches too
            return Optional.of(new Checked(new Found(plain.get(), p), BuildDebugInfo.of(f).hasDwarf()));
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
