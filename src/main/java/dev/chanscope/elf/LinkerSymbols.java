package dev.chanscope.elf;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Go linker's section-boundary symbols ({@code runtime.text}, {@code runtime.noptrdata},
 * {@code runtime.pcheader}, ...) recovered from the section headers, which {@code -ldflags=-s}
 * and {@code strip} keep while they drop the symbol table. The linker defines each of them at
 * the start or end of its section (cmd/link/internal/ld/data.go: address), so the section
 * header gives the same link-time address.
 */
public final class LinkerSymbols {
    private LinkerSymbols() {
    }

    /** The link-time address of a boundary symbol, from the section headers; empty for any other name. */
    public static OptionalLong address(ElfFile exe, String name) {
        return switch (name) {
            case "runtime.text" -> start(exe, ".text");
            case "runtime.etext" -> end(exe, ".text");
            case "runtime.noptrdata" -> start(exe, ".noptrdata");
            case "runtime.enoptrdata" -> end(exe, ".noptrdata");
            case "runtime.data" -> start(exe, ".data");
            case "runtime.edata" -> end(exe, ".data");
            case "runtime.bss" -> start(exe, ".bss");
            case "runtime.ebss" -> end(exe, ".bss");
            case "runtime.noptrbss" -> start(exe, ".noptrbss");
            case "runtime.enoptrbss" -> end(exe, ".noptrbss");
            // PIE binaries of Go 1.22 and earlier put the pclntab in relocated read-only data.
            case "runtime.pcheader" -> start(exe, ".gopclntab").isPresent() ? start(exe, ".gopclntab")
                    : start(exe, ".data.rel.ro.gopclntab");
            default -> OptionalLong.empty();
        };
    }

    private static OptionalLong start(ElfFile exe, String section) {
        Optional<ElfFile.Section> s = exe.section(section);
        return s.isPresent() && s.get().addr() != 0 ? OptionalLong.of(s.get().addr()) : OptionalLong.empty();
    }

    private static OptionalLong end(ElfFile exe, String section) {
        Optional<ElfFile.Section> s = exe.section(section);
        return s.isPresent() && s.get().addr() != 0 ? OptionalLong.of(s.get().addr() + s.get().size()) : OptionalLong.empty();
    }
}
