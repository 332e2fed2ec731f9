package dev.chanscope.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --format text|markdown|json} and its shorthand {@code --json}: the commands that print a diagnosis. */
final class ReportFormatOptions {
    enum Format { text, markdown, json }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), markdown (for an incident ticket) or json (docs/json-schema.md).")
    Format format;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    /** The format asked for; --json beside another --format is a usage error. */
    Format chosen(CommandSpec spec) {
        return OutputFormat.choose(spec, json, format, Format.json);
    }
}
