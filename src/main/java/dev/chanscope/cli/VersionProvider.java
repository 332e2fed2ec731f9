package dev.chanscope.cli;

import dev.chanscope.report.Version;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"chanscope " + Version.current()};
    }
}
