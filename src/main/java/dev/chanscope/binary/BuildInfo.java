package dev.chanscope.binary;

import dev.chanscope.elf.ElfFile;
import java.nio.charset.StandardCharsets;
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

    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int HEADER = 32;
    private static final int FLAG_INLINE_STRINGS = 2;
    /** The module info is framed by 16-byte sentinels (cmd/go/internal/modload infoStart/infoEnd). */
    private static final int SENTINEL = 16;

    public BuildInfo {
        modules = List.copyOf(modules);
    }

    /** Reads the executable's build info; empty when the section is missing or in the pre-1.18 format. */
    public static Optional<BuildInfo> read(ElfFile exe) {
        Optional<ElfFile.Section> sec = exe.section(".go.buildinfo");
        if (sec.isEmpty() || sec.get().size() < HEADER || sec.get().type() == ElfFile.SHT_NOBITS) {
            return Optional.empty();
        }
        int size = (int) Math.min(sec.get().size(), 1 << 20);
        byte[] b = exe.readAt(sec.get().offset(), size);
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[i] != MAGIC[i]) {
                return Optional.empty();
            }
        }
        if ((b[15] & FLAG_INLINE_STRINGS) == 0) {
            return Optional.empty();
        }
        int[] pos = {HEADER};
        String version = string(b, pos);
        String mod = string(b, pos);
        if (version == null || mod == null) {
            return Optional.empty();
        }
        if (mod.length() >= 2 * SENTINEL + 1 && mod.charAt(mod.length() - SENTINEL - 1) == '\n') {
            mod = mod.substring(SENTINEL, mod.length() - SENTINEL);
        }
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

    /** A uvarint length and that many bytes; null when it runs off the end. */
    private static String string(byte[] b, int[] pos) {
        long n = 0;
        int shift = 0;
        while (true) {
            if (pos[0] >= b.length || shift > 35) {
                return null;
            }
            int c = b[pos[0]++] & 0xff;
            n |= (long) (c & 0x7f) << shift;
            if (c < 0x80) {
                break;
            }
            shift += 7;
        }
        if (n > b.length - pos[0]) {
            return null;
        }
        String s = new String(b, pos[0], (int) n, StandardCharsets.UTF_8);
        pos[0] += (int) n;
        return s;
    }
}
