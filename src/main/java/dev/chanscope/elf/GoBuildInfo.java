package dev.chanscope.elf;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The raw build information the Go linker writes into {@code .go.buildinfo} (what {@code go
 * version -m} prints): the Go version and the module info text. It survives {@code -s -w} and
 * {@code objcopy --strip-all} (the section is allocated), which is why a stripped binary's Go
 * release and GOEXPERIMENTs can still be known. Go 1.18+ inline format only (debug/buildinfo).
 *
 * @param goVersion "go1.26.8" (runtime.buildVersion)
 * @param modinfo   the module info without its sentinels: "path ...\nmod ...\nbuild\tKEY=VALUE\n..."
 */
public record GoBuildInfo(String goVersion, String modinfo) {
    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int HEADER = 32;
    private static final int FLAG_INLINE_STRINGS = 2;
    /** The module info is framed by 16-byte sentinels (cmd/go/internal/modload infoStart/infoEnd). */
    private static final int SENTINEL = 16;

    /** Reads the executable's build info; empty when the section is missing or in the pre-1.18 format. */
    public static Optional<GoBuildInfo> read(ElfFile exe) {
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
        return Optional.of(new GoBuildInfo(version, mod));
    }

    /** The {@code build KEY=VALUE} settings (GOARCH, GOEXPERIMENT, -ldflags, ...), in order. */
    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : modinfo.split("\n")) {
            if (line.startsWith("build\t")) {
                String kv = line.substring(6);
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        return out;
    }

    /** GOEXPERIMENT as the build recorded it ("" for the release's defaults). */
    public String experiments() {
        return settings().getOrDefault("GOEXPERIMENT", "");
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
