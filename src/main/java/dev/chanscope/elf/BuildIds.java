package dev.chanscope.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The build ids of one program: the GNU build id (NT_GNU_BUILD_ID, lower-case hex) and the Go
 * build id (the "Go" note of type 4, the text {@code go tool buildid} prints). Either may be
 * absent: gcc and Go 1.26 write both, Go 1.22 only the Go one, a C program only the GNU one.
 */
public record BuildIds(Optional<String> gnu, Optional<String> go) {
    public static final BuildIds NONE = new BuildIds(Optional.empty(), Optional.empty());

    /** The ids an executable carries in its note sections (or PT_NOTE segments). */
    public static BuildIds of(ElfFile executable) {
        return new BuildIds(executable.gnuBuildId(), executable.goBuildId());
    }

    public boolean isEmpty() {
        return gnu.isEmpty() && go.isEmpty();
    }

    /** "Go build id A/B/C/D", or "GNU build id 1234…", or both joined by ", ", or "no build id". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        go.ifPresent(id -> parts.add(Kind.GO.describe(id)));
        gnu.ifPresent(id -> parts.add(Kind.GNU.describe(id)));
        return parts.isEmpty() ? "no build id" : String.join(", ", parts);
    }

    public Optional<String> get(Kind kind) {
        return kind == Kind.GNU ? gnu : go;
    }

    /** Which of the two ids. */
    public enum Kind {
        GNU("GNU build id"), GO("Go build id");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        String describe(String id) {
            return label + " " + id;
        }
    }
}
