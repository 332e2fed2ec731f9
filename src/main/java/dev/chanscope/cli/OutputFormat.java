package dev.chanscope.cli;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import picocli.CommandLine.Model.CommandSpec;

/** The one rule for {@code --format F} beside its shorthand {@code --json}: both may agree, never differ. */
final class OutputFormat {
    private OutputFormat() {
    }

    /**
     * @param json   whether --json was given
     * @param format --format's value (its default when not given)
     * @return the format to print
     * @throws ChanscopeException (usage) when --format names another format than --json
     */
    static <F extends Enum<F>> F choose(CommandSpec spec, boolean json, F format, F jsonFormat) {
        if (!json) {
            return format;
        }
        boolean formatGiven = spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--format");
        if (formatGiven && format != jsonFormat) {
            throw new ChanscopeException(ExitCode.USAGE, "--json and --format " + format.name()
                    + " ask for two formats; give one");
        }
        return jsonFormat;
    }
}
