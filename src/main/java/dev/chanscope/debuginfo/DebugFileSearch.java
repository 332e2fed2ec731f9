package dev.chanscope.debuginfo;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.elf.BuildDebugInfo;
import dev.chanscope.elf.BuildIds;
import dev.chanscope.elf.DebugFile;
import dev.chanscope.elf.DebugFileLocator;
import dev.chanscope.elf.DebugLink;
import dev.chanscope.elf.ElfFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where Linux distributions and debuggers look for a stripped executable's debug file, in
 * gdb's order: the file the user names; the {@code .gnu_debuglink} name next to the binary, in
 * its {@code .debug/} directory and under each debug directory plus the binary's directory;
 * the build-id tree ({@code DIR/.build-id/xx/rest.debug}); then, only when asked, debuginfod
 * servers. A candidate is used only when it has DWARF and belongs to the binary: the same
 * build ids, or for a debuglink the CRC the link records.
 *
 * @param explicit  --debug-file
 * @param debugDirs --debug-dir (default /usr/lib/debug)
 * @param servers   debuginfod servers, empty unless asked for
 * @param notes     where a failed lookup is said (one line each), for the user
 */
public record DebugFileSearch(Optional<Path> explicit, List<Path> debugDirs, List<URI> servers, Debuginfod client,
                              Consumer<String> notes) implements DebugFileLocator {
    public DebugFileSearch {
        debugDirs = List.copyOf(debugDirs);
        servers = List.copyOf(servers);
    }

    @Override
    public Optional<DebugFile> locate(ElfFile exe, Path path, String name) {
        if (explicit.isPresent()) {
            Path f = explicit.get();
            String why = problem(exe, f).orElse(null);
            if (why != null) {
                throw new ChanscopeException(Files.exists(f) && why.startsWith("its build id") ? ExitCode.BINARY_MISMATCH
                        : ExitCode.BAD_INPUT, "debug file " + f + " " + why + " (binary " + name + ")");
            }
            return Optional.of(new DebugFile(f, "--debug-file"));
        }
        Optional<DebugLink> link = DebugLink.of(exe);
        if (link.isPresent()) {
            for (Path c : linkCandidates(path, link.get().fileName())) {
                if (Files.isRegularFile(c) && !sameFile(c, path) && link.get().matches(c) && hasDwarf(c)) {
                    return Optional.of(new DebugFile(c, ".gnu_debuglink"));
                }
            }
        }
        Optional<String> id = exe.gnuBuildId().filter(s -> s.length() > 2);
        if (id.isPresent()) {
            for (Path dir : debugDirs) {
                Path c = dir.resolve(".build-id").resolve(id.get().substring(0, 2)).resolve(id.get().substring(2) + ".debug");
                if (Files.isRegularFile(c) && problem(exe, c).isEmpty()) {
                    return Optional.of(new DebugFile(c, "build-id tree " + dir));
                }
            }
            for (URI server : servers) {
                try {
                    Optional<Path> got = client.fetch(server, id.get());
                    if (got.isPresent()) {
                        Optional<String> why = problem(exe, got.get());
                        if (why.isEmpty()) {
                            return Optional.of(new DebugFile(got.get(), "debuginfod " + server));
                        }
                        notes.accept("debuginfod " + server + ": the file served for build id " + id.get() + " " + why.get());
                    }
                } catch (Debuginfod.FetchException e) {
                    notes.accept("debuginfod " + server + ": " + e.getMessage());
                }
            }
        } else if (!servers.isEmpty()) {
            notes.accept("debuginfod: binary " + name + " has no GNU build id to ask for");
        }
        return Optional.empty();
    }

    /** gdb's debuglink places: beside the binary, its .debug/, and each debug directory plus the binary's directory. */
    private List<Path> linkCandidates(Path exe, String fileName) {
        Path dir = exe.toAbsolutePath().normalize().getParent();
        List<Path> out = new ArrayList<>();
        out.add(dir.resolve(fileName));
        out.add(dir.resolve(".debug").resolve(fileName));
        for (Path d : debugDirs) {
            out.add(Path.of(d.toString(), dir.toString(), fileName));
        }
        return out;
    }

    /** Why {@code candidate} is not the binary's debug file, or empty when it is. */
    static Optional<String> problem(ElfFile exe, Path candidate) {
        if (!Files.isRegularFile(candidate)) {
            return Optional.of("does not exist or is not a file");
        }
        try (ElfFile d = ElfFile.open(candidate)) {
            if (!BuildDebugInfo.of(d).hasDwarf()) {
                return Optional.of("has no DWARF");
            }
            BuildIds want = BuildIds.of(exe);
            BuildIds got = BuildIds.of(d);
            boolean gnu = want.gnu().isPresent() && got.gnu().isPresent();
            boolean go = want.go().isPresent() && got.go().isPresent();
            if (gnu && !want.gnu().equals(got.gnu()) || go && !want.go().equals(got.go())) {
                return Optional.of("its build id (" + got.describe() + ") is not the binary's (" + want.describe() + ")");
            }
            if (!gnu && !go) {
                return Optional.of("has no build id to compare with the binary's");
            }
            return Optional.empty();
        } catch (ChanscopeException e) {
            return Optional.of("cannot be read: " + e.getMessage());
        }
    }

    private static boolean hasDwarf(Path p) {
        try (ElfFile d = ElfFile.open(p)) {
            return BuildDebugInfo.of(d).hasDwarf();
        } catch (ChanscopeException e) {
            return false;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
