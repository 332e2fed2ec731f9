package dev.chanscope.diagnose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The program's source, when it can be found: at the path DWARF recorded, or under a
 * {@code --source-root} that holds the same tree (matched by the longest path suffix, so a
 * build path of {@code /build/svc/internal/pool/pool.go} finds {@code ROOT/internal/pool/pool.go}).
 */
public final class SourceIndex {
    private static final Pattern CLOSE = Pattern.compile("\\bclose\\(\\s*([^()]+(?:\\([^()]*\\))?[^()]*)\\)");
    private static final Pattern SEND = Pattern.compile("(?:^|[\\s;{(])((?:[A-Za-z_][\\w]*)(?:(?:\\.|->)[A-Za-z_][\\w]*|\\[[^\\]]*\\]|\\(\\))*)\\s*<-(?!-)");

    private final List<Path> roots;
    private final boolean recordedPaths;
    /** Module paths from the binary's build info, the main module's first: where -trimpath file names start. */
    private final List<String> modules;
    private final Map<String, Optional<List<String>>> files = new HashMap<>();
    private final Map<String, Path> found = new HashMap<>();

    /** Looks under {@code roots}, and at the paths DWARF recorded when they exist on this machine. */
    public SourceIndex(List<Path> roots) {
        this(roots, true, List.of());
    }

    private SourceIndex(List<Path> roots, boolean recordedPaths, List<String> modules) {
        this.roots = List.copyOf(roots);
        this.recordedPaths = recordedPaths;
        this.modules = List.copyOf(modules);
    }

    /** No source at all (--no-source): the diagnosis uses the core and the binary only. */
    public static SourceIndex none() {
        return new SourceIndex(List.of(), false, List.of());
    }

    /**
     * The same index, also mapping module-relative file names to the roots: a binary built with
     * {@code -trimpath} records {@code example.com/svc/work/x.go} for the main module's
     * {@code work/x.go}, which is {@code ROOT/work/x.go} when ROOT is the module's directory.
     *
     * @param modulePaths the build info's module paths, the main module's first
     */
    public SourceIndex withModules(List<String> modulePaths) {
        return new SourceIndex(roots, recordedPaths, modulePaths);
    }

    /** Whether there is anywhere to look: a --source-root, or the recorded paths. */
    public boolean searches() {
        return !roots.isEmpty() || recordedPaths;
    }

    /** One line for the report when {@code file} was not found: where chanscope looked. */
    public String notFound(String file) {
        if (!searches()) {
            return "the source of " + file + " was not read (--no-source)";
        }
        if (roots.isEmpty()) {
            return "the source of " + file + " is not at the path the binary records; pass --source-root DIR";
        }
        return "the source of " + file + " was not found under " + roots.stream().map(Path::toString)
                .collect(java.util.stream.Collectors.joining(", ")) + (moduleRelative(file).isPresent()
                ? " (as " + moduleRelative(file).get() + " of module " + moduleOf(file).orElse("") + ", nor by path suffix)"
                : " (by path suffix)");
    }

    /** Where {@code file} was read from, when it was found. */
    public Optional<Path> location(String file) {
        lines(file);
        return Optional.ofNullable(found.get(file));
    }

    /** The text of {@code file}:{@code line} (1-based), when the file is found. */
    public Optional<String> line(String file, int line) {
        return lines(file).filter(l -> line >= 1 && line <= l.size()).map(l -> l.get(line - 1));
    }

    /** Lines {@code [line-before, line+after]}, each prefixed with its number. */
    public List<String> context(String file, int line, int before, int after) {
        List<String> out = new ArrayList<>();
        lines(file).ifPresent(l -> {
            for (int i = Math.max(1, line - before); i <= Math.min(l.size(), line + after); i++) {
                out.add(String.format("%s%5d  %s", i == line ? ">" : " ", i, l.get(i - 1)));
            }
        });
        return out;
    }

    public boolean has(String file) {
        return lines(file).isPresent();
    }

    /** The channel expression of {@code close(EXPR)} on the line, e.g. "w.results". */
    public Optional<String> closedExpression(String file, int line) {
        return line(file, line).flatMap(t -> first(CLOSE, stripComment(t)));
    }

    /** The channel expression of a send {@code EXPR <- v} (including a select case) on the line. */
    public Optional<String> sentExpression(String file, int line) {
        return line(file, line).flatMap(t -> first(SEND, stripComment(t)));
    }

    /**
     * The channel expressions a victim at {@code line} may have sent on: the send on that line,
     * or, when the line opens a select (the runtime reports a select's send case at the
     * {@code select} keyword), every send case of that select.
     */
    public List<String> sendTargets(String file, int line) {
        Optional<String> direct = sentExpression(file, line);
        if (direct.isPresent()) {
            return List.of(direct.get());
        }
        Optional<List<String>> lo = lines(file);
        if (lo.isPresent() && line >= 1 && line <= lo.get().size()
                && stripComment(lo.get().get(line - 1)).strip().startsWith("select")) {
            return selectAt(lo.get(), line - 1, -1).sendCases();
        }
        return List.of();
    }

    /**
     * Whether the close at {@code line} sits in a select statement: the nearest enclosing
     * {@code select {} } above it (by brace depth), with what its cases do.
     */
    public Optional<SelectContext> enclosingSelect(String file, int line) {
        Optional<List<String>> lo = lines(file);
        if (lo.isEmpty() || line < 1 || line > lo.get().size()) {
            return Optional.empty();
        }
        List<String> l = lo.get();
        int depth = 0;
        for (int i = line - 1; i >= 0 && i >= line - 80; i--) {
            String t = stripComment(l.get(i));
            for (int k = t.length() - 1; k >= 0; k--) {
                char ch = t.charAt(k);
                if (ch == '}') {
                    depth++;
                } else if (ch == '{') {
                    if (depth == 0) {
                        if (t.strip().startsWith("select")) {
                            return Optional.of(selectAt(l, i, line));
                        }
                        if (t.strip().startsWith("func") || t.contains(" func(")) {
                            return Optional.empty(); // left the function
                        }
                    } else {
                        depth--;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** A select statement around a close: its send cases' channel expressions and whether it has a default. */
    public record SelectContext(int line, List<String> sendCases, List<String> recvCases, boolean hasDefault,
                                boolean closeInDefault) {}

    private SelectContext selectAt(List<String> l, int selectIdx, int closeLine) {
        List<String> sends = new ArrayList<>();
        List<String> recvs = new ArrayList<>();
        boolean hasDefault = false;
        boolean closeInDefault = false;
        int depth = 0;
        String currentCase = "";
        for (int i = selectIdx; i < l.size() && i < selectIdx + 200; i++) {
            String t = stripComment(l.get(i)).strip();
            if (depth == 1 && t.startsWith("case ")) {
                currentCase = "case";
                Matcher m = SEND.matcher(" " + t.substring(5));
                if (m.find() && !t.substring(5).strip().startsWith("<-")) {
                    sends.add(m.group(1));
                } else {
                    Matcher r = Pattern.compile("<-\\s*([\\w.()\\[\\]]+)").matcher(t);
                    if (r.find()) {
                        recvs.add(r.group(1));
                    }
                }
            } else if (depth == 1 && t.startsWith("default:")) {
                currentCase = "default";
                hasDefault = true;
            }
            if (i + 1 == closeLine && currentCase.equals("default")) {
                closeInDefault = true;
            }
            for (char ch : t.toCharArray()) {
                if (ch == '{') {
                    depth++;
                } else if (ch == '}') {
                    depth--;
                }
            }
            if (depth <= 0 && i > selectIdx) {
                break;
            }
        }
        return new SelectContext(selectIdx + 1, List.copyOf(sends), List.copyOf(recvs), hasDefault, closeInDefault);
    }

    /** "w.results" → "results": the field or variable name that names the channel. */
    public static String lastName(String expr) {
        String e = expr.strip();
        int cut = Math.max(e.lastIndexOf('.'), e.lastIndexOf('>'));
        return cut >= 0 ? e.substring(cut + 1) : e;
    }

    private static Optional<String> first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
    }

    private static String stripComment(String t) {
        int c = t.indexOf("//");
        return c >= 0 ? t.substring(0, c) : t;
    }

    private Optional<List<String>> lines(String file) {
        return files.computeIfAbsent(file, this::load);
    }

    private Optional<List<String>> load(String file) {
        for (Path p : candidates(file)) {
            if (Files.isRegularFile(p)) {
                found.put(file, p);
                try {
                    return Optional.of(Files.readAllLines(p, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The longest module path {@code file} starts with (module paths use '/', as -trimpath names do). */
    private Optional<String> moduleOf(String file) {
        return modules.stream().filter(m -> !m.isEmpty() && file.startsWith(m + "/"))
                .max(java.util.Comparator.comparingInt(String::length));
    }

    /** {@code file} relative to its module's directory, when it is a -trimpath name of a known module. */
    private Optional<String> moduleRelative(String file) {
        if (Path.of(file).isAbsolute()) {
            return Optional.empty();
        }
        return moduleOf(file).map(m -> file.substring(m.length() + 1));
    }

    private List<Path> candidates(String file) {
        List<Path> out = new ArrayList<>();
        if (file.isEmpty()) {
            return out;
        }
        Path as = Path.of(file);
        // A module-relative name (-trimpath) maps by its module path first.
        Optional<String> rel = moduleRelative(file);
        for (Path root : roots) {
            rel.ifPresent(r -> out.add(root.resolve(r)));
        }
        // Then the longest suffix: the most specific match wins.
        String[] parts = file.replace('\\', '/').split("/");
        for (Path root : roots) {
            for (int i = 0; i < parts.length; i++) {
                String suffix = String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length));
                if (!suffix.isEmpty()) {
                    out.add(root.resolve(suffix));
                }
            }
        }
        if (as.isAbsolute() && recordedPaths) {
            out.add(0, as);
        }
        return out;
    }
}
