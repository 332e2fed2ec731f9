package dev.chanscope.cli;

import dev.chanscope.ExitCode;
import dev.chanscope.acquire.Acquirer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code chanscope cache info} and {@code chanscope cache prune}: the cache of unpacked inputs (docs/inputs.md). */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = {"Show or prune the cache of unpacked inputs.",
            "The cache is $CHANSCOPE_CACHE, else $XDG_CACHE_HOME/chanscope, else",
            "$HOME/.cache/chanscope. It is kept under $CHANSCOPE_CACHE_MAX (default 16G)",
            "by deleting the least recently used entries after each new one."},
        subcommands = {CacheCommand.Info.class, CacheCommand.Prune.class})
final class CacheCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (info, prune)");
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Print the cache's directory, entries, size and limit.")
    static final class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            long limit = Acquirer.cacheLimit(TargetOptions.ByteSize::parse);
            Acquirer.PruneResult r = Acquirer.prune(Acquirer.defaultCacheDir(), Long.MAX_VALUE);
            spec.commandLine().getOut().println(r.dir() + ": " + r.entriesBefore() + " entries, " + r.bytesBefore()
                    + " bytes; limit " + limit + " bytes");
            spec.commandLine().getOut().flush();
            return ExitCode.OK.code();
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = {"Delete cached entries, least recently used first: all of them, or down to",
                "--keep SIZE."})
    static final class Prune implements Callable<Integer> {
        @Option(names = "--keep", paramLabel = "SIZE", converter = KeepSize.class, defaultValue = "0",
                description = "Keep the most recently used entries up to SIZE bytes (K, M, G, T suffixes); default 0: delete all.")
        long keep;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Acquirer.PruneResult r = Acquirer.prune(Acquirer.defaultCacheDir(), keep);
            spec.commandLine().getOut().println("chanscope: deleted " + r.deleted() + " of " + r.entriesBefore()
                    + " entries (" + r.bytesDeleted() + " of " + r.bytesBefore() + " bytes) from " + r.dir());
            spec.commandLine().getOut().flush();
            return ExitCode.OK.code();
        }
    }

    /** A size, or 0. */
    static final class KeepSize implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return value.strip().equals("0") ? 0L : TargetOptions.ByteSize.parse(value);
        }
    }
}
