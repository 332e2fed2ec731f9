package dev.chanscope.goruntime;

/** Function names as the runtime prints them. */
public final class GoNames {
    private GoNames() {
    }

    /**
     * The runtime's funcNameForPrint: a generic instantiation's shape arguments
     * ("Pool[go.shape.struct { ... }]") print as "[...]", so the same generic function reads the
     * same whatever it was instantiated with.
     */
    public static String forPrint(String name) {
        int i = name.indexOf('[');
        if (i < 0) {
            return name;
        }
        int j = name.lastIndexOf(']');
        if (j <= i) {
            return name;
        }
        return name.substring(0, i) + "[...]" + name.substring(j + 1);
    }
}
