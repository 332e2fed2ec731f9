package dev.chanscope.cli;

import dev.chanscope.ByteStreamWriter;
import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.SafePrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code chanscope <command>}. */
@Command(name = "chanscope",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        // Lines of 79 columns at most: --help fits an 80-column terminal without picocli
        // breaking them mid-phrase (CliConventionsTest).
        description = {
            "Explains why a Go program died with 'send on closed channel' or 'close of",
            "closed channel': reads the core dump and its binary, and reports the race, the",
            "closer, the panic, the channel and every goroutine.",
            "",
            "Make a core: ulimit -c unlimited; GOTRACEBACK=crash ./service  (writes ./core)",
            "Containers, Kubernetes, systemd-coredump: docs/capture.md",
        },
        subcommands = {AnalyzeCommand.class, LogCommand.class, GoroutinesCommand.class, AttachCommand.class, BatchCommand.class,
            MergeCommand.class, CacheCommand.class, VersionCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 partial report, 2 usage, 3 bad input, 4 binary does not",
            "match the core, 5 gdb missing or failing, 6 out of memory, 70 internal error.",
            "Docs: docs/usage.md"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (analyze, log, goroutines, attach, batch, merge, cache, version)");
    }

    public static void main(String[] args) {
        // A thread other than main (a batch worker, gdb's reader) that runs out of memory ends
        // the run the same way: one line and its own exit code.
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof OutOfMemoryError oom) {
                outOfMemory(oom);
            }
            System.err.println("chanscope: internal error in thread " + t.getName() + ": " + e
                    + " (please report it; set CHANSCOPE_DEBUG=1 for the stack trace)");
            if (System.getenv("CHANSCOPE_DEBUG") != null) {
                e.printStackTrace();
            }
            Runtime.getRuntime().halt(ExitCode.INTERNAL.code());
        });
        int code;
        try {
            code = run(args);
        } catch (OutOfMemoryError e) {
            outOfMemory(e);
            return;
        }
        System.exit(code);
    }

    /** One line on stderr and exit code 6; halt, since a JVM out of memory may not finish its shutdown. */
    static void outOfMemory(OutOfMemoryError e) {
        try {
            System.err.println("chanscope: out of memory (" + e.getMessage() + ", Java heap limit "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): the input needs a larger heap; run again with"
                    + " JAVA_TOOL_OPTIONS=-Xmx8g (or more)");
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(ExitCode.OUT_OF_MEMORY.code());
        }
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // Every human-readable line (reports, summaries, errors, help) goes through one sanitizer:
        // text from the input never reaches the terminal raw. JSON is written through
        // SafePrintWriter.exact. Help is drawn without ANSI colours, which it would escape.
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cl.setOut(new SafePrintWriter(new ByteStreamWriter(cl.getOut(), System.out)));
        cl.setErr(new SafePrintWriter(cl.getErr()));
        // -V on every command, and on commands added later, prints the same line as chanscope -V.
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new VersionProvider()));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, cmd));
        cl.setParameterExceptionHandler((ex, args2) -> {
            ex.getCommandLine().getErr().println("chanscope: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.USAGE.code();
        });
        return cl.execute(args);
    }

    private static int handle(Exception ex, CommandLine cmd) {
        if (ex.getCause() instanceof OutOfMemoryError oom) {
            throw oom;
        }
        if (ex instanceof ChanscopeException ce) {
            cmd.getErr().println("chanscope: " + ce.getMessage());
            return ce.exitCode().code();
        }
        cmd.getErr().println("chanscope: internal error: " + ex + " (please report it; set CHANSCOPE_DEBUG=1 for the stack trace)");
        if (System.getenv("CHANSCOPE_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        return ExitCode.INTERNAL.code();
    }
}
