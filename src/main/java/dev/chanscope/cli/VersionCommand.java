package dev.chanscope.cli;

import dev.chanscope.ExitCode;
import dev.chanscope.gdb.GdbException;
import dev.chanscope.gdb.GdbSession;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.report.Version;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "version", mixinStandardHelpOptions = true,
        description = {"Print the version and commit, the Java runtime, gdb, and what it reads.",
            "The gdb is the one chanscope would use (path and version); what it reads is",
            "the Go versions and architectures of the programs.",
            "",
            "Exit codes: 0, or 5 when no usable gdb is found (the line says why)."})
final class VersionCommand implements Callable<Integer> {
    private static final String GDB_ENV = "CHANSCOPE_GDB";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("chanscope " + Version.current() + " (commit " + Version.commit() + ")");
        out.println("java:   " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor")
                + ", " + System.getProperty("java.home") + ")");
        int code = ExitCode.OK.code();
        String configured = System.getenv(GDB_ENV);
        boolean fromEnv = configured != null && !configured.isBlank();
        String gdb = fromEnv ? configured.strip() : "gdb";
        String where = fromEnv ? gdb + " (" + GDB_ENV + ")" : onPath(gdb).map(Path::toString).orElse("gdb on PATH");
        try (GdbSession s = GdbSession.start()) {
            out.println("gdb:    " + where + ", " + s.version().text());
        } catch (GdbException e) {
            out.println("gdb:    none usable: " + e.getMessage());
            code = ExitCode.GDB.code();
        }
        out.println("reads:  Go 1." + GoRuntime.OLDEST_MINOR + " to 1." + GoRuntime.NEWEST_MINOR + " programs, linux/"
                + String.join(", linux/", Version.ARCHITECTURES));
        out.flush();
        return code;
    }

    /** The file {@code name} resolves to on PATH, as the shell would find it. */
    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
