package dev.chanscope.diagnose;

/** Names of compiler-generated wrappers. */
public final class Wrappers {
    private Wrappers() {
    }

    /** "pkg.f.deferwrap1" → "pkg.f" (the function whose defer or go statement made it); other names unchanged. */
    public static String enclosing(String physical) {
        return physical.replaceFirst("\\.(deferwrap|gowrap)\\d+$", "");
    }
}
