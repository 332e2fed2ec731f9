package dev.chanscope.elf;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;

/**
 * Whether an executable still has what chanscope reads through gdb: DWARF (struct layouts of
 * the runtime) and the symbol table. {@code go build -ldflags="-s -w"} drops both ({@code -w}
 * DWARF, {@code -s} the symbol table), as does binutils' {@code strip}. Checked from the section
 * headers, before gdb starts, so the user gets one line instead of a failure deep in gdb.
 */
public record BuildDebugInfo(boolean hasDwarf, boolean hasSymtab) {

    public static BuildDebugInfo of(ElfFile exe) {
        // Go 1.22 and 1.26 write .debug_info compressed in place (SHF_COMPRESSED); older
        // linkers wrote .zdebug_info. Either counts.
        boolean dwarf = exe.section(".debug_info").isPresent() || exe.section(".zdebug_info").isPresent();
        boolean symtab = exe.sections().stream().anyMatch(s -> s.type() == ElfFile.SHT_SYMTAB);
        return new BuildDebugInfo(dwarf, symtab);
    }

    /**
     * @throws ChanscopeException (BAD_INPUT) when there is no DWARF: layouts cannot be read
     */
    public void require(String binaryName) {
        if (hasDwarf) {
            return;
        }
        String how = hasSymtab ? "built with -ldflags=-w?" : "built with -ldflags=\"-s -w\"?";
        throw new ChanscopeException(ExitCode.BAD_INPUT, "binary " + binaryName + " has no debug information ("
                + how + "): chanscope needs the unstripped build of the same program (same Go build id)");
    }
}
