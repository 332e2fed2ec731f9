package dev.chanscope.gdb;

import dev.chanscope.proc.StructLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses gdb's {@code ptype/o struct 'NAME'} output (under {@code set language c}) into a
 * {@link StructLayout}. We use ptype/o rather than per-field expressions because one command
 * gives every field of a struct: about 30 commands describe the whole runtime.
 *
 * <p>Shape of the input (gdb 12 to 15):
 * <pre>
 * /* offset      |    size *&#47;  type = struct runtime.hchan {
 * /*      0      |       8 *&#47;    uint qcount;
 * /*    232      |      24 *&#47;    struct []uint8 {
 * /*    232      |       8 *&#47;        uint8 *array;
 *                                    /* total size (bytes):   24 *&#47;
 *                                } writebuf;
 *                                /* total size (bytes):  456 *&#47;
 *                              }
 * </pre>
 * Bit-field lines ({@code offset: bit}) are kept with their byte offset.
 */
public final class PtypeParser {
    private static final Pattern FIELD = Pattern.compile(
            "^/\\*\\s+(\\d+)(?::\\s*\\d+)?\\s*\\|\\s*(\\d+)\\s*\\*/\\s*(.*)$");
    private static final Pattern HEADER = Pattern.compile("type = struct (.+?) \\{\\s*$");
    private static final Pattern TOTAL = Pattern.compile("/\\*\\s*total size \\(bytes\\):\\s*(\\d+)\\s*\\*/");
    private static final Pattern CLOSE = Pattern.compile("^\\}\\s*([A-Za-z_][\\w]*)?\\s*(?:\\[.*\\])?;?\\s*$");

    private PtypeParser() {
    }

    /** @throws IllegalArgumentException when the text is not a ptype/o struct listing */
    public static StructLayout parse(String text) {
        String[] lines = text.split("\n");
        String name = null;
        long totalSize = -1;
        List<StructLayout.Field> fields = new ArrayList<>();
        // Open inline (anonymous) structs: their first-line offset/size and collected children.
        Deque<OpenStruct> open = new ArrayDeque<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (name == null) {
                Matcher h = HEADER.matcher(line);
                if (h.find()) {
                    name = h.group(1).strip();
                }
                continue;
            }
            Matcher t = TOTAL.matcher(line);
            if (t.find()) {
                if (open.isEmpty()) {
                    totalSize = Long.parseLong(t.group(1));
                }
                continue;
            }
            Matcher c = CLOSE.matcher(line);
            if (c.matches()) {
                if (open.isEmpty()) {
                    break; // end of the outer struct
                }
                OpenStruct s = open.pop();
                String fieldName = c.group(1) == null ? "" : c.group(1);
                List<StructLayout.Field> entries = new ArrayList<>();
                entries.add(new StructLayout.Field(fieldName, s.offset, s.size, s.typeName));
                for (StructLayout.Field child : s.children) {
                    entries.add(new StructLayout.Field(fieldName + "." + child.name(), child.offset(), child.size(), child.typeName()));
                }
                (open.isEmpty() ? fields : open.peek().children).addAll(entries);
                continue;
            }
            Matcher f = FIELD.matcher(line);
            if (!f.matches()) {
                continue; // holes ("XXX 2-byte hole") and padding comments
            }
            long offset = Long.parseLong(f.group(1));
            long size = Long.parseLong(f.group(2));
            String decl = f.group(3).strip();
            if (decl.endsWith("{")) {
                open.push(new OpenStruct(offset, size, decl.substring(0, decl.length() - 1).strip()));
                continue;
            }
            StructLayout.Field field = declaration(decl, offset, size);
            if (open.isEmpty()) {
                fields.add(field);
            } else {
                open.peek().children.add(field);
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("not a ptype/o struct listing: " + firstLine(text));
        }
        return new StructLayout(name, totalSize, List.copyOf(fields));
    }

    /** "uint8 *array;" → name "array", type "uint8 *"; "runtime.g *g;" → "g". */
    private static StructLayout.Field declaration(String decl, long offset, long size) {
        String d = decl.endsWith(";") ? decl.substring(0, decl.length() - 1) : decl;
        int colon = d.lastIndexOf(" : "); // bit-field width
        if (colon > 0) {
            d = d.substring(0, colon);
        }
        int arr = d.indexOf('[', Math.max(0, d.lastIndexOf(' ')));
        String arraySuffix = "";
        if (arr > 0 && d.endsWith("]")) {
            arraySuffix = d.substring(arr);
            d = d.substring(0, arr);
        }
        int cut = d.length();
        while (cut > 0 && (Character.isLetterOrDigit(d.charAt(cut - 1)) || d.charAt(cut - 1) == '_')) {
            cut--;
        }
        String fieldName = d.substring(cut);
        String type = (d.substring(0, cut).strip() + arraySuffix).strip();
        return new StructLayout.Field(fieldName, offset, size, type);
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static final class OpenStruct {
        final long offset;
        final long size;
        final String typeName;
        final List<StructLayout.Field> children = new ArrayList<>();

        OpenStruct(long offset, long size, String typeName) {
            this.offset = offset;
            this.size = size;
            this.typeName = typeName;
        }
    }
}
