package dev.chanscope.layouts;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.ElfVirtualMemory;
import dev.chanscope.elf.GoBuildInfo;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.GdbTypeCatalog;
import dev.chanscope.goruntime.GoLayouts;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.StructLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the built-in layout table from probe binaries (scripts/gen-layouts builds one per Go
 * release): each binary's DWARF through gdb, as GdbTypeCatalog reads any binary, and its name
 * tables from its data at their symbols.
 *
 * <p>usage: LayoutTableGenerator OUT.json BINARY...
 */
public final class LayoutTableGenerator {
    /** The runtime's name tables GoRuntime reads at their symbols. */
    static final List<String> NAME_TABLES = List.of("runtime.gStatusStrings", "runtime.waitReasonStrings");
    /** Constants GoRuntime asks for. */
    static final List<String> CONSTANTS = List.of("runtime._Gscan");

    private LayoutTableGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: LayoutTableGenerator OUT.json BINARY...");
            System.exit(2);
        }
        List<LayoutRelease> releases = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            LayoutRelease r = extract(Path.of(args[i]));
            System.err.println(r.goVersion() + "/" + r.goarch() + ": " + r.structs().size() + " structs");
            releases.add(r);
        }
        Files.writeString(Path.of(args[0]), LayoutTableJson.write(releases), StandardCharsets.UTF_8);
    }

    /** The table entry of one probe binary (it must have DWARF and its symbol table). */
    public static LayoutRelease extract(Path binary) {
        try (ElfFile exe = ElfFile.open(binary); GdbSession gdb = GdbSession.start()) {
            GoBuildInfo bi = GoBuildInfo.read(exe).orElseThrow(() -> new IllegalArgumentException(binary + " has no Go build info"));
            gdb.loadExecutable(binary);
            RecordingCatalog rec = new RecordingCatalog(new GdbTypeCatalog(gdb));
            GoLayouts.load(rec);
            CONSTANTS.forEach(rec::constant);
            Map<String, List<String>> tables = new LinkedHashMap<>();
            Memory mem = new ElfVirtualMemory(exe);
            for (String t : NAME_TABLES) {
                tables.put(t, stringArray(exe, mem, t));
            }
            String goarch = bi.settings().getOrDefault("GOARCH", "amd64");
            return new LayoutRelease(bi.goVersion(), goarch, bi.experiments(), rec.structs, rec.constants, tables);
        }
    }

    /** A [N]string at a data symbol, as GoRuntime reads it from a core. */
    static List<String> stringArray(ElfFile exe, Memory mem, String symbol) {
        ElfFile.Symbol sym = exe.symbols().stream().filter(s -> s.name().equals(symbol) && s.size() > 0).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no symbol " + symbol));
        List<String> out = new ArrayList<>();
        for (long i = 0; i < sym.size() / 16; i++) {
            long p = mem.u64(sym.value() + 16 * i);
            long l = mem.u64(sym.value() + 16 * i + 8);
            out.add(l > 0 && l < 256 ? mem.goString(p, l, 256) : "");
        }
        return out;
    }

    /** For the test: the layouts the generator would record from a catalog. */
    static Map<String, StructLayout> recorded(dev.chanscope.proc.TypeCatalog catalog) {
        RecordingCatalog rec = new RecordingCatalog(catalog);
        GoLayouts.load(rec);
        return rec.structs;
    }
}
