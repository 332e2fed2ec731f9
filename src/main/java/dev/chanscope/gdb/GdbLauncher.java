package dev.chanscope.gdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** How gdb is found, started and, when it will not start, diagnosed. */
final class GdbLauncher {
    static final String ENV_VAR = "CHANSCOPE_GDB";

    /**
     * Run before anything else ({@code -iex}), so they hold while the binary is loaded. The dumps
     * and binaries we open are untrusted: auto-load would run scripts they name
     * ({@code .debug_gdb_scripts}, {@code *-gdb.py}), debuginfod would send their build ids over
     * the network. {@code set auto-load off} switches off every auto-load kind (checked on gdb 13
     * with {@code safe-path /}: Go's runtime-gdb.py is not loaded), so no safe-path is needed.
     * The others keep the output machine-shaped: no pager, no line wrapping, no questions.
     */
    static final List<String> STARTUP_SETTINGS = List.of(
            "set auto-load off",
            "set debuginfod enabled off",
            "set pagination off",
            "set height 0",
            "set width 0",
            "set confirm off",
            "set print pretty off");

    private static final long VERSION_PROBE_SECONDS = 10;

    private GdbLauncher() {
    }

    static List<String> commandLine(String executable) {
        List<String> command = new ArrayList<>(List.of(executable, "--interpreter=mi3", "-nx", "-q"));
        for (String setting : STARTUP_SETTINGS) {
            command.add("-iex");
            command.add(setting);
        }
        return command;
    }

    /**
     * Starts gdb. {@code origin} says where the executable name came from, for the message
     * when it is missing.
     */
    static Process start(String executable, String origin) {
        ProcessBuilder builder = new ProcessBuilder(commandLine(executable));
        prepareEnvironment(builder.environment());
        try {
            return builder.start();
        } catch (IOException e) {
            throw startFailure(executable, origin, e);
        }
    }

    /**
     * No debuginfod server even if the setting were ignored; a fixed locale so gdb's messages
     * are English and its strings UTF-8 (a missing C.UTF-8 locale falls back to C, which is fine).
     */
    static void prepareEnvironment(Map<String, String> environment) {
        environment.remove("DEBUGINFOD_URLS");
        environment.put("LC_ALL", "C.UTF-8");
    }

    private static GdbException startFailure(String executable, String origin, IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("error=2,") || message.contains("No such file")) {
            return new GdbException("gdb not found (" + origin + "): install it (Debian/Ubuntu: apt-get install gdb)"
                    + " or set " + ENV_VAR + " to its path", e);
        }
        return new GdbException("cannot start gdb " + executable + " (" + origin + "): " + message, e);
    }

    /**
     * Runs {@code gdb --version} on its own. Used only after a session failed to start: a gdb
     * older than 9 does not know MI3 and exits at once, and its version is then the useful
     * thing to report.
     */
    static Optional<GdbVersion> probeVersion(String executable) {
        ProcessBuilder builder = new ProcessBuilder(executable, "--version").redirectErrorStream(true);
        prepareEnvironment(builder.environment());
        Process process = null;
        try {
            process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(VERSION_PROBE_SECONDS, TimeUnit.SECONDS)) {
                return Optional.empty();
            }
            // A pipe holds far more than a version banner, so reading after exit cannot block.
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            return output.lines().findFirst().flatMap(GdbVersion::parse);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }
}
