package dev.chanscope.layouts;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.GoBuildInfo;
import java.util.Optional;

/**
 * Picks the built-in layouts for an executable without DWARF: its Go release and GOEXPERIMENT
 * from its build information (which stripping keeps), its architecture from the ELF header.
 */
public final class BuiltInLayouts {

    private BuiltInLayouts() {
    }

    /**
     * @throws ChanscopeException (BAD_INPUT) when the binary records no Go release, or one
     *     (or a GOEXPERIMENT) the table does not hold
     */
    public static TableTypeCatalog forBinary(ElfFile exe, String binaryName, LayoutTable table) {
        String goarch = exe.machine() == ElfFile.EM_X86_64 ? "amd64" : exe.machine() == ElfFile.EM_AARCH64 ? "arm64" : "";
        Optional<GoBuildInfo> bi = GoBuildInfo.read(exe);
        if (bi.isEmpty()) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "binary " + binaryName + " has no debug information and no"
                    + " Go build information to choose built-in layouts by: pass its debug file or the unstripped build");
        }
        String version = bi.get().goVersion();
        String experiments = bi.get().experiments();
        return table.find(version, goarch, experiments).map(r -> new TableTypeCatalog(r, version))
                .orElseThrow(() -> new ChanscopeException(ExitCode.BAD_INPUT, "binary " + binaryName + " has no debug"
                        + " information, and chanscope has no built-in layouts for " + version + "/"
                        + (goarch.isEmpty() ? "machine " + exe.machine() : goarch)
                        + (experiments.isEmpty() ? "" : " GOEXPERIMENT=" + experiments)
                        + ": pass its debug file or the unstripped build (docs/stripped.md)"));
    }
}
