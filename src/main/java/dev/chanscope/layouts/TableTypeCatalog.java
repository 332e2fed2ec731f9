package dev.chanscope.layouts;

import dev.chanscope.proc.StructLayout;
import dev.chanscope.proc.TypeCatalog;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The runtime's types for a binary without DWARF, from the built-in table of its Go release.
 * Only the runtime structs chanscope reads are known; a program's own types are not (a
 * channel's element type is then named from its type descriptor alone).
 *
 * @param release       the table's entry
 * @param binaryVersion runtime.buildVersion as the binary's build information gives it
 */
public record TableTypeCatalog(LayoutRelease release, String binaryVersion) implements TypeCatalog {

    @Override
    public Optional<StructLayout> struct(String name) {
        return Optional.ofNullable(release.structs().get(name));
    }

    @Override
    public OptionalLong constant(String name) {
        Long v = release.constants().get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    @Override
    public String source() {
        return "built-in table for " + release.goVersion() + "/" + release.goarch()
                + (release.experiments().isEmpty() ? "" : " GOEXPERIMENT=" + release.experiments());
    }

    @Override
    public Optional<List<String>> nameTable(String symbol) {
        return Optional.ofNullable(release.nameTables().get(symbol));
    }

    @Override
    public Optional<String> goVersion() {
        return Optional.of(binaryVersion);
    }
}
