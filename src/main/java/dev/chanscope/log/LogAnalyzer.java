package dev.chanscope.log;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.binary.BinaryScanner;
import dev.chanscope.binary.ScannedBinary;
import dev.chanscope.diagnose.Diagnosis;
import dev.chanscope.diagnose.DiagnosisRunner;
import dev.chanscope.diagnose.LogReading;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.Frame;
import dev.chanscope.goruntime.GoRuntime;
import dev.chanscope.goruntime.Goroutine;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.goruntime.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One log through it all: find the crashes, pick one, build the model, check the binary
 * against it, and run the same diagnosis as for a core on what the log gives
 * ({@link DiagnosisRunner#runFromLog}). Without the binary there is no verdict, only the
 * candidates the source allows.
 */
public final class LogAnalyzer {
    private LogAnalyzer() {
    }

    /**
     * @param binary     the plain executable (already unpacked) and how to name it
     * @param crash      1 for the last crash in the log, 2 for the one before...
     * @param force      go on when the binary does not fit the log (the report says so)
     * @throws ChanscopeException BAD_INPUT when the log holds no Go crash, USAGE for a crash
     *     number beyond them, BINARY_MISMATCH when the binary is not the one that crashed
     */
    public static LogAnalysis analyze(String text, String logName, Optional<Path> binary, String binaryName,
                                      SourceIndex source, int crash, boolean force) {
        List<Traceback> all = TracebackParser.parse(text);
        if (all.isEmpty()) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, logName + " holds no Go crash: no 'panic:', 'fatal error:',"
                    + " signal header or 'goroutine N [...]:' line was found");
        }
        if (crash < 1 || crash > all.size()) {
            throw new ChanscopeException(ExitCode.USAGE, "--crash " + crash + ": " + logName + " holds " + all.size()
                    + " crash" + (all.size() == 1 ? "" : "es") + " (1 is the last)");
        }
        if (binary.isEmpty()) {
            Traceback t = all.get(crash - 1);
            String target = "log " + logName + (all.size() > 1 ? " (crash " + crash + " of " + all.size() + ")" : "");
            LogSnapshot.Result m = LogSnapshot.build(t, Optional.empty(), target);
            List<Frame> files = new ArrayList<>();
            m.snapshot().goroutines().forEach(g -> files.addAll(g.frames()));
            List<SourceCandidates.Candidate> c = m.snapshot().panic().map(p -> SourceCandidates.find(p, files, source))
                    .orElse(List.of());
            return new LogAnalysis(logName, Optional.empty(), crash, all.size(), t, m, Optional.empty(), c);
        }
        try (ElfFile exe = ElfFile.open(binary.get())) {
            Pclntab pcln = BinaryScanner.pclntabOf(exe);
            ScannedBinary facts = BinaryScanner.scan(exe, pcln);
            return analyze(all, crash, logName, new LogSnapshot.Binary(pcln, facts), binaryName, source, force);
        }
    }

    /**
     * The crash {@code crash} of {@code all} with a binary already scanned (its executable still
     * open: the diagnosis reads its code).
     */
    public static LogAnalysis analyze(List<Traceback> all, int crash, String logName, LogSnapshot.Binary bin,
                                      String binaryName, SourceIndex source, boolean force) {
        Traceback t = all.get(crash - 1);
        String target = "log " + logName + (all.size() > 1 ? " (crash " + crash + " of " + all.size() + ")" : "");
        bin.facts().buildInfo().flatMap(b -> GoRuntime.unsupported(b.goVersion())).ifPresent(why -> {
            throw new ChanscopeException(ExitCode.BAD_INPUT, binaryName + ": " + why);
        });
        LogSnapshot.Result m;
        try {
            m = LogSnapshot.build(t, Optional.of(bin), target);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
            // an offset or a name from the log that sends the pclntab reader out of its tables
            throw new ChanscopeException(ExitCode.BINARY_MISMATCH, binaryName + " does not fit " + logName + " ("
                    + e.getMessage() + "); pass the binary that crashed");
        }
        BinaryCheck check = m.check().orElseThrow();
        if (!check.matches() && !check.mismatches().isEmpty() && !force) {
            throw new ChanscopeException(ExitCode.BINARY_MISMATCH, binaryName + " is not the binary of " + logName
                    + ": " + check.describe().replaceFirst("^the binary is not the one that crashed: ", "")
                    + "; pass the binary that crashed, or --force");
        }
        Optional<Diagnosis> d = Optional.empty();
        try {
            d = Optional.of(DiagnosisRunner.runFromLog(bin.facts(), m.snapshot(), source, new LogReading(m.absent())));
        } catch (RuntimeException e) {
            // The panic and the goroutines are still worth printing; say why there is no verdict.
            Snapshot s = m.snapshot();
            List<String> w = new ArrayList<>(s.warnings());
            w.add("diagnosis failed: " + (e instanceof ChanscopeException ? e.getMessage() : e.toString()));
            m = new LogSnapshot.Result(s.withWarnings(w), m.check(), m.channel(), m.absent(), m.level());
        }
        return new LogAnalysis(logName, Optional.of(binaryName), crash, all.size(), t, m, d, List.of());
    }

    /** The goroutines of the model grouped by identical stacks (state, frames, creator), biggest group first. */
    public static List<List<Goroutine>> groups(LogAnalysis a) {
        java.util.Map<String, List<Goroutine>> by = new java.util.LinkedHashMap<>();
        for (TracebackGoroutine tg : a.traceback().userGoroutines()) {
            a.model().snapshot().goroutine(tg.id()).ifPresent(g -> by.computeIfAbsent(tg.stackKey(),
                    k -> new ArrayList<>()).add(g));
        }
        List<List<Goroutine>> out = new ArrayList<>(by.values());
        out.sort((x, y) -> y.size() - x.size());
        return out;
    }
}
