package dev.chanscope.batch;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cores under the PATH arguments of {@code chanscope batch}: files, directories (walked
 * recursively; links to files are followed, links to directories are not, so there are no
 * cycles) and globs, expanded here with Java's glob syntax for shells and job runners that pass
 * them unexpanded ({@code 'cores/**.zst'}). Files are recognised by content ({@link CoreSniffer}),
 * after the shard filter so that each machine reads only its share.
 *
 * @param cores       the cores of the shard, in argument order, then by key
 * @param files       regular files found (all shards)
 * @param inShard     of those, the ones in this shard
 * @param executables files of the shard skipped as executables
 * @param others      files of the shard skipped as neither core nor executable
 * @param unreadable  files of the shard that could not be read to be classified; they are among
 *                    the cores, so that each gets an error line
 */
public record Corpus(List<CorpusFile> cores, int files, int inShard, int executables, int others, int unreadable,
                     List<Skipped> skipped) {
    /** A file of the shard that is not a core, and why: it gets a {@code skipped} line. */
    public record Skipped(CorpusFile file, String reason) {}

    private static final String GLOB_CHARS = "*?[{";

    /**
     * @throws ChanscopeException BAD_INPUT when a PATH neither exists nor matches any file
     */
    public static Corpus scan(List<String> paths, Shard shard) {
        return scan(paths, shard, false);
    }

    /**
     * @param logs also take the Go crash logs ({@link LogFiles}); a batch does with --binary,
     *             which a log needs for a verdict (a log has no build id to search by)
     * @throws ChanscopeException BAD_INPUT when a PATH neither exists nor matches any file
     */
    public static Corpus scan(List<String> paths, Shard shard, boolean logs) {
        List<CorpusFile> found = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (String arg : paths) {
            List<CorpusFile> of = expand(arg);
            of.sort(Comparator.comparing(CorpusFile::key));
            for (CorpusFile f : of) {
                if (seen.add(identity(f.path()))) {
                    found.add(f);
                }
            }
        }
        List<CorpusFile> cores = new ArrayList<>();
        int inShard = 0;
        int executables = 0;
        int others = 0;
        int unreadable = 0;
        List<Skipped> skipped = new ArrayList<>();
        for (CorpusFile f : found) {
            if (!shard.contains(f.key())) {
                continue;
            }
            inShard++;
            try {
                switch (CoreSniffer.classify(f.path())) {
                    case CORE -> cores.add(f);
                    case LOG -> {
                        if (logs) {
                            cores.add(f); // analyzed beside the cores as chanscope log would
                        } else {
                            others++;
                            skipped.add(new Skipped(f, "a Go crash log: batch analyzes logs with --binary"
                                    + " (chanscope log, docs/log.md)"));
                        }
                    }
                    case EXECUTABLE -> {
                        executables++;
                        skipped.add(new Skipped(f, "an ELF executable or shared library (a program, not a core)"));
                    }
                    case OTHER -> {
                        others++;
                        skipped.add(new Skipped(f, "not a core: by its first bytes neither an ELF core, a tar or zip"
                                + " bundle, nor a compressed one of those"));
                    }
                }
            } catch (IOException e) {
                // Most likely a core whose permissions keep us out: its error line says so,
                // where a skipped file would silently drop out of the count.
                cores.add(f);
                unreadable++;
            }
        }
        return new Corpus(List.copyOf(cores), found.size(), inShard, executables, others, unreadable, List.copyOf(skipped));
    }

    /** "12 cores (of 40 files; skipped 12 executables, 16 other files)" */
    public String describe() {
        return cores.size() + (cores.size() == 1 ? " core" : " cores") + " (" + looked() + ")";
    }

    /** "of 40 files; skipped 12 executables, 16 other files": what the scan looked at. */
    public String looked() {
        StringBuilder b = new StringBuilder("of ").append(inShard).append(inShard == 1 ? " file" : " files");
        if (inShard != files) {
            b.append(" in this shard, ").append(files).append(" in all");
        }
        List<String> parts = new ArrayList<>();
        if (executables > 0) {
            parts.add(executables + (executables == 1 ? " executable" : " executables"));
        }
        if (others > 0) {
            parts.add(others + (others == 1 ? " other file" : " other files"));
        }
        if (!parts.isEmpty()) {
            b.append("; skipped ").append(String.join(", ", parts));
        }
        if (unreadable > 0) {
            b.append("; ").append(unreadable).append(" unreadable (they get error lines)");
        }
        return b.toString();
    }

    private static List<CorpusFile> expand(String arg) {
        Path p = Path.of(arg);
        if (Files.exists(p)) {
            if (Files.isDirectory(p)) {
                return walk(p, Integer.MAX_VALUE, rel -> true);
            }
            List<CorpusFile> one = new ArrayList<>();
            if (Files.isRegularFile(p)) {
                one.add(new CorpusFile(p, p.getFileName().toString()));
            }
            return one;
        }
        if (arg.chars().noneMatch(c -> GLOB_CHARS.indexOf(c) >= 0)) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "no such file or directory: " + arg);
        }
        List<CorpusFile> matched = glob(arg);
        if (matched.isEmpty()) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "no file matches " + arg);
        }
        return matched;
    }

    /**
     * Walks the longest leading part without glob characters and matches the rest of the
     * pattern against paths relative to it; {@code **} crosses directories, {@code *} does not.
     */
    private static List<CorpusFile> glob(String pattern) {
        String[] parts = pattern.split("/", -1);
        int fixed = 0;
        while (fixed < parts.length - 1 && parts[fixed].chars().noneMatch(c -> GLOB_CHARS.indexOf(c) >= 0)) {
            fixed++;
        }
        String base = String.join("/", java.util.Arrays.copyOfRange(parts, 0, fixed));
        if (pattern.startsWith("/") && base.isEmpty()) {
            base = "/";
        }
        String rest = String.join("/", java.util.Arrays.copyOfRange(parts, fixed, parts.length));
        Path root = base.isEmpty() ? Path.of(".") : Path.of(base);
        if (!Files.isDirectory(root)) {
            return new ArrayList<>();
        }
        PathMatcher m;
        try {
            m = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        } catch (IllegalArgumentException e) {
            throw new ChanscopeException(ExitCode.USAGE, "bad glob " + pattern + ": " + e.getMessage());
        }
        // Java's "**/x" needs at least one directory; a shell's globstar also matches "x" itself.
        PathMatcher top = rest.startsWith("**/") ? FileSystems.getDefault().getPathMatcher("glob:" + rest.substring(3)) : m;
        int depth = rest.contains("**") ? Integer.MAX_VALUE : parts.length - fixed;
        List<CorpusFile> out = new ArrayList<>();
        for (CorpusFile f : walk(root, depth, rel -> m.matches(rel) || top.matches(rel))) {
            // "./x" would not read as the user wrote the pattern; a relative base is cwd-relative anyway
            Path shown = base.isEmpty() ? Path.of(f.key()) : f.path();
            out.add(new CorpusFile(shown, f.key()));
        }
        return out;
    }

    private static List<CorpusFile> walk(Path root, int maxDepth, java.util.function.Predicate<Path> accept) {
        List<CorpusFile> out = new ArrayList<>();
        try {
            Files.walkFileTree(root, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), maxDepth,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            // A link to a file counts; a link to a directory arrives here too and is skipped.
                            Path rel = root.relativize(file);
                            if (Files.isRegularFile(file) && accept.test(rel)) {
                                out.add(new CorpusFile(file, rel.toString().replace(java.io.File.separatorChar, '/')));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            return FileVisitResult.CONTINUE; // an unreadable directory: take the rest
                        }
                    });
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot read " + root + ": " + e.getMessage());
        }
        return out;
    }

    private static Path identity(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
