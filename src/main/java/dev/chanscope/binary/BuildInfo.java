package dev.chanscope.binary;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.GoBuildInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The build information the Go linker writes into {@code .go.buildinfo} (what {@code go
 * version -m} prints): the Go version and the module paths, which tell the program's own
 * packages from the standard library's. Go 1.18+ inline format only (debug/buildinfo).
 *
 * @param goVersion "go1.26.8"
 * @param mainPackage the main package's import path
 * @param modules   the main module's path first, then every dependency's
 */
public record BuildInfo(String goVersion, String mainPackage, List<String> modules) {

    public BuildInfo {
        modules = List.copyOf(modules);
    }

    /** Reads the executable's build info; empty when the section is missing or in the pre-1.18 format. */
    public static Optional<BuildInfo> read(ElfFile exe) {
        Optional<GoBuildInfo> raw = GoBuildInfo.read(exe);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String version = raw.get().goVersion();
        String mod = raw.get().modinfo();
        String path = "";
        List<String> modules = new ArrayList<>();
        for (String line : mod.split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 2) {
                switch (f[0]) {
                    case "path" -> path = f[1];
                    case "mod", "dep" -> modules.add(f[1]);
                    default -> { }
                }
            }
        }
        return Optional.of(new BuildInfo(version, path, modules));
    }
}
