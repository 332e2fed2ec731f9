package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What a cache entry holds, written last into the entry so that a complete manifest means a
 * complete entry. The sizes let a later run notice files damaged or deleted behind its back.
 *
 * @param layers      labels of the containers unwrapped, outermost first
 * @param binary      file name of the bundled executable inside the entry, if any
 * @param notes       what the user was told when the entry was made (skipped members...), told again on reuse
 */
record Manifest(List<String> layers, String core, long coreSize, Optional<String> binary, long binarySize,
                List<String> notes, List<Alternate> alternates) {
    static final String FILE_NAME = "manifest.properties";

    /** A further program of the bundle, after {@code binary}: its file in the entry, size and member name. */
    record Alternate(String file, long size, String member) {}

    Manifest {
        layers = List.copyOf(layers);
        notes = List.copyOf(notes);
        alternates = List.copyOf(alternates);
    }

    Manifest(List<String> layers, String core, long coreSize, Optional<String> binary, long binarySize,
             List<String> notes) {
        this(layers, core, coreSize, binary, binarySize, notes, List.of());
    }

    void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("version", "1");
        p.setProperty("layers", String.join(",", layers));
        p.setProperty("core", core);
        p.setProperty("core.size", Long.toString(coreSize));
        binary.ifPresent(b -> {
            p.setProperty("binary", b);
            p.setProperty("binary.size", Long.toString(binarySize));
        });
        p.setProperty("notes", Integer.toString(notes.size()));
        for (int i = 0; i < notes.size(); i++) {
            p.setProperty("note." + i, notes.get(i));
        }
        p.setProperty("alternates", Integer.toString(alternates.size()));
        for (int i = 0; i < alternates.size(); i++) {
            p.setProperty("alternate." + i + ".file", alternates.get(i).file());
            p.setProperty("alternate." + i + ".size", Long.toString(alternates.get(i).size()));
            p.setProperty("alternate." + i + ".member", alternates.get(i).member());
        }
        try (OutputStream out = java.nio.channels.Channels.newOutputStream(dev.chanscope.fs.SafeFiles.createNew(file))) {
            p.store(out, "chanscope cache entry");
        }
    }

    /** @return empty when the file is missing or not a manifest this version wrote */
    static Optional<Manifest> read(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            if (!"1".equals(p.getProperty("version")) || p.getProperty("core") == null) {
                return Optional.empty();
            }
            String layerText = p.getProperty("layers", "");
            List<String> layers = layerText.isEmpty() ? List.of() : Arrays.asList(layerText.split(","));
            int count = Integer.parseInt(p.getProperty("notes", "0"));
            List<String> notes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                notes.add(p.getProperty("note." + i, ""));
            }
            Optional<String> binary = Optional.ofNullable(p.getProperty("binary"));
            List<Alternate> alternates = new ArrayList<>();
            int alts = Integer.parseInt(p.getProperty("alternates", "0"));
            for (int i = 0; i < alts && i < AcquiredInput.MAX_BINARIES; i++) {
                String alt = p.getProperty("alternate." + i + ".file");
                if (alt == null || !alt.matches("binary-alt-[0-9]+")) {
                    return Optional.empty();
                }
                alternates.add(new Alternate(alt, Long.parseLong(p.getProperty("alternate." + i + ".size")),
                        p.getProperty("alternate." + i + ".member", "")));
            }
            return Optional.of(new Manifest(layers, p.getProperty("core"),
                    Long.parseLong(p.getProperty("core.size")), binary,
                    binary.isPresent() ? Long.parseLong(p.getProperty("binary.size")) : 0, notes, alternates));
        } catch (IOException | RuntimeException e) {
            // Unreadable or garbled: the caller treats the entry as absent and rebuilds it.
            return Optional.empty();
        }
    }

    /** The bundle member the binary came from, from the note that says so ("executable: 'NAME' from the tar"). */
    String binaryMember() {
        for (String n : notes) {
            if (n.startsWith("executable: '")) {
                int end = n.lastIndexOf("' from the ");
                return end > 13 ? n.substring(13, end) : n.substring(13);
            }
        }
        return binary.orElse("");
    }
}
