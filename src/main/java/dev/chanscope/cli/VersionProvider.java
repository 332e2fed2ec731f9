package dev.chanscope.cli;

import dev.chanscope.report.Version;
import picocli.CommandLine;

/** The {@code -V} line of every command. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"chanscope " + Version.current() + " (commit " + Version.commit() + ")"};
    }
}
