package dev.chanscope.layouts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.proc.StructLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in runtime layouts (resource {@value #RESOURCE}, written by scripts/gen-layouts):
 * one {@link LayoutRelease} per Go release and architecture. A binary of another patch release
 * of the same minor version reads with that minor's entry: the Go project changes no runtime
 * struct in a patch release (the table's test checks the newest patch of every minor against
 * DWARF).
 */
public final class LayoutTable {
    public static final String RESOURCE = "/dev/chanscope/layouts/go-runtime-layouts.json";

    private final List<LayoutRelease> releases;

    public LayoutTable(List<LayoutRelease> releases) {
        this.releases = List.copyOf(releases);
    }

    /** The table shipped in the jar. */
    public static LayoutTable builtIn() {
        try (InputStream in = LayoutTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new LayoutTable(List.of());
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("the built-in layout table " + RESOURCE + " cannot be read", e);
        }
    }

    public List<LayoutRelease> releases() {
        return releases;
    }

    /**
     * The entry for a binary of Go {@code version} on {@code goarch} built with
     * {@code experiments}: the same release, else the newest patch of the same minor version.
     */
    public Optional<LayoutRelease> find(String version, String goarch, String experiments) {
        String minor = LayoutRelease.minorOf(version);
        return releases.stream()
                .filter(r -> r.goarch().equals(goarch) && r.experiments().equals(experiments) && r.minor().equals(minor)
                        && !minor.isEmpty())
                .max(Comparator.comparing((LayoutRelease r) -> r.goVersion().equals(version.strip()))
                        .thenComparing(r -> patchOf(r.goVersion())));
    }

    private static int patchOf(String v) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("go1\\.\\d+\\.(\\d+)").matcher(v);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    static LayoutTable parse(JsonNode root) {
        List<LayoutRelease> out = new ArrayList<>();
        for (JsonNode r : root.path("releases")) {
            Map<String, StructLayout> structs = new LinkedHashMap<>();
            r.path("structs").fields().forEachRemaining(e -> {
                List<StructLayout.Field> fields = new ArrayList<>();
                for (JsonNode f : e.getValue().path("fields")) {
                    fields.add(new StructLayout.Field(f.get(0).asText(), f.get(1).asLong(), f.get(2).asLong(), f.get(3).asText()));
                }
                structs.put(e.getKey(), new StructLayout(e.getKey(), e.getValue().path("size").asLong(), fields));
            });
            Map<String, Long> constants = new LinkedHashMap<>();
            r.path("constants").fields().forEachRemaining(e -> constants.put(e.getKey(), e.getValue().asLong()));
            Map<String, List<String>> tables = new LinkedHashMap<>();
            r.path("nameTables").fields().forEachRemaining(e -> {
                List<String> names = new ArrayList<>();
                e.getValue().forEach(n -> names.add(n.asText()));
                tables.put(e.getKey(), names);
            });
            out.add(new LayoutRelease(r.path("goVersion").asText(), r.path("goarch").asText(),
                    r.path("experiments").asText(""), structs, constants, tables));
        }
        return new LayoutTable(out);
    }
}
