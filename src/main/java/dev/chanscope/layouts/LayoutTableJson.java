package dev.chanscope.layouts;

import dev.chanscope.proc.StructLayout;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the layout table as {@link LayoutTable#parse} reads it: one field a line, so that a
 * regenerated table diffs by field. Written by hand (no Jackson) because scripts/gen-layouts
 * runs the generator on the bare class path.
 */
public final class LayoutTableJson {
    private LayoutTableJson() {
    }

    public static String write(List<LayoutRelease> releases) {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"generator\": \"scripts/gen-layouts\",\n  \"releases\": [");
        for (int i = 0; i < releases.size(); i++) {
            LayoutRelease r = releases.get(i);
            b.append(i == 0 ? "\n" : ",\n");
            b.append("    {\n      \"goVersion\": ").append(q(r.goVersion()))
                    .append(",\n      \"goarch\": ").append(q(r.goarch()))
                    .append(",\n      \"experiments\": ").append(q(r.experiments()))
                    .append(",\n      \"constants\": {");
            String sep = "";
            for (Map.Entry<String, Long> c : new TreeMap<>(r.constants()).entrySet()) {
                b.append(sep).append(q(c.getKey())).append(": ").append(c.getValue());
                sep = ", ";
            }
            b.append("},\n      \"nameTables\": {");
            sep = "\n";
            for (Map.Entry<String, List<String>> t : new TreeMap<>(r.nameTables()).entrySet()) {
                b.append(sep).append("        ").append(q(t.getKey())).append(": [");
                String s2 = "";
                for (String n : t.getValue()) {
                    b.append(s2).append(q(n));
                    s2 = ", ";
                }
                b.append("]");
                sep = ",\n";
            }
            b.append("\n      },\n      \"structs\": {");
            sep = "\n";
            for (Map.Entry<String, StructLayout> e : new TreeMap<>(r.structs()).entrySet()) {
                StructLayout s = e.getValue();
                b.append(sep).append("        ").append(q(e.getKey())).append(": {\"size\": ").append(s.size())
                        .append(", \"fields\": [");
                String s2 = "\n";
                for (StructLayout.Field f : s.fields()) {
                    b.append(s2).append("          [").append(q(f.name())).append(", ").append(f.offset()).append(", ")
                            .append(f.size()).append(", ").append(q(f.typeName())).append("]");
                    s2 = ",\n";
                }
                b.append("]}");
                sep = ",\n";
            }
            b.append("\n      }\n    }");
        }
        b.append("\n  ]\n}\n");
        return b.toString();
    }

    private static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
