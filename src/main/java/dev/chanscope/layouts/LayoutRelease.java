package dev.chanscope.layouts;

import dev.chanscope.proc.StructLayout;
import java.util.List;
import java.util.Map;

/**
 * What chanscope reads of one Go release's runtime, as its DWARF and data described it when
 * scripts/gen-layouts built a probe program with that release: the struct layouts the runtime
 * model asks for, the constants, and the runtime's name tables.
 *
 * @param goVersion   "go1.26.8"
 * @param goarch      "amd64"
 * @param experiments GOEXPERIMENT of the probe's build ("" for the release's defaults)
 */
public record LayoutRelease(String goVersion, String goarch, String experiments, Map<String, StructLayout> structs,
                            Map<String, Long> constants, Map<String, List<String>> nameTables) {
    public LayoutRelease {
        structs = Map.copyOf(structs);
        constants = Map.copyOf(constants);
        nameTables = Map.copyOf(nameTables);
    }

    /** "1.26" of "go1.26.8": releases of one minor version share the runtime's layouts. */
    public String minor() {
        return minorOf(goVersion);
    }

    static String minorOf(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("go1\\.(\\d+)").matcher(version);
        return m.find() ? "1." + m.group(1) : "";
    }
}
