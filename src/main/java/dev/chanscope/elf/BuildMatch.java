package dev.chanscope.elf;

import java.util.Optional;

/**
 * Whether a binary is the build that dumped a core, decided by build ids.
 *
 * <p>The GNU id is compared when both sides have one; else the Go id; a core with neither id
 * (its executable's first page was not dumped) cannot be judged here ({@link Verdict#UNKNOWN}).
 * A core that has an id the binary lacks is a mismatch: the binary comes from another
 * toolchain (a C core against a Go 1.22 binary, which has no GNU id).
 *
 * @param kind the id that decided, empty for UNKNOWN
 */
public record BuildMatch(Verdict verdict, Optional<BuildIds.Kind> kind, BuildIds core, BuildIds binary) {

    public enum Verdict { MATCH, MISMATCH, UNKNOWN }

    public static BuildMatch compare(BuildIds core, BuildIds binary) {
        for (BuildIds.Kind k : BuildIds.Kind.values()) { // GNU first: it covers the whole binary
            if (core.get(k).isPresent() && binary.get(k).isPresent()) {
                Verdict v = core.get(k).get().equals(binary.get(k).get()) ? Verdict.MATCH : Verdict.MISMATCH;
                return new BuildMatch(v, Optional.of(k), core, binary);
            }
        }
        if (core.isEmpty()) {
            return new BuildMatch(Verdict.UNKNOWN, Optional.empty(), core, binary);
        }
        BuildIds.Kind k = core.go().isPresent() ? BuildIds.Kind.GO : BuildIds.Kind.GNU;
        return new BuildMatch(Verdict.MISMATCH, Optional.of(k), core, binary);
    }

    public boolean matches() {
        return verdict == Verdict.MATCH;
    }

    /** The core's id that decided, as "Go build id X" (or all the core has, when nothing decided). */
    public String coreSide() {
        return side(core);
    }

    /** The binary's id of the same kind, or "no Go build id" when it has none of that kind. */
    public String binarySide() {
        return side(binary);
    }

    private String side(BuildIds ids) {
        if (kind.isEmpty()) {
            return ids.describe();
        }
        return ids.get(kind.get()).map(id -> kind.get().describe(id)).orElse("no " + kind.get().label());
    }

    /**
     * The one-line mismatch message: {@code binary ./x (Go build id A) does not match core c
     * (Go build id B): pass the binary that crashed, or --binary-search DIR, or --force}.
     */
    public String mismatchMessage(String binaryName, String coreName) {
        return "binary " + binaryName + " (" + binarySide() + ") does not match core " + coreName + " ("
                + coreSide() + ")" + (sameMainPackage() ? ", though both hold the same compiled main package, linked"
                + " differently (e.g. one with -ldflags=\"-s -w\"), which moves code and data" : "")
                + ": pass the binary that crashed, or --binary-search DIR, or --force";
    }

    /**
     * A Go build id of a binary is actionID(binary)/actionID(main.a)/contentID(main.a)/contentID(binary)
     * (cmd/go/internal/work/buildid.go): equal third parts mean the same compiled main package
     * linked differently, the usual story when a release is stripped and a debug build is not.
     */
    public boolean sameMainPackage() {
        if (verdict != Verdict.MISMATCH || core.go().isEmpty() || binary.go().isEmpty()) {
            return false;
        }
        String[] a = core.go().get().split("/");
        String[] b = binary.go().get().split("/");
        return a.length == 4 && b.length == 4 && a[2].equals(b[2]);
    }
}
