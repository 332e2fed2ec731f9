package dev.chanscope.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.binary.BinaryScanner;
import dev.chanscope.diagnose.SourceIndex;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.testing.SampleCores;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A log is untrusted text: cut, shuffled, with numbers no runtime prints. The parser and the
 * model never throw on it; with a binary, a frame that does not fit is a mismatch (exit 4),
 * never an internal error.
 */
class LogRobustnessTest {
    private static final Pattern OFFSET = Pattern.compile("\\+0x([0-9a-f]+)");

    @Test
    void damagedLogsNeverThrow() {
        String base = SampleCores.get("1.26.8", "recovered-repanic").stderrText();
        Random r = new Random(16);
        for (int i = 0; i < 300; i++) {
            List<String> lines = new ArrayList<>(List.of(base.split("\n", -1)));
            switch (i % 4) {
                case 0 -> lines = lines.subList(0, r.nextInt(lines.size()));
                case 1 -> lines.remove(r.nextInt(lines.size()));
                case 2 -> java.util.Collections.swap(lines, r.nextInt(lines.size()), r.nextInt(lines.size()));
                default -> {
                    int k = r.nextInt(lines.size());
                    lines.set(k, lines.get(k).replaceAll("\\d+", "99999999999999999999999"));
                }
            }
            for (Traceback t : TracebackParser.parse(String.join("\n", lines))) {
                LogSnapshot.build(t, Optional.empty(), "log");
            }
        }
    }

    @Test
    void offsetsThatDoNotFitAreAMismatchNeverAnInternalError() {
        SampleCores.Entry e = SampleCores.get("1.26.8", "multi-closer");
        String text = e.stderrText();
        try (ElfFile exe = ElfFile.open(e.binary())) {
            Pclntab pcln = BinaryScanner.pclntabOf(exe);
            LogSnapshot.Binary bin = new LogSnapshot.Binary(pcln, BinaryScanner.scan(exe, pcln));
            Random r = new Random(7);
            int mismatches = 0;
            for (int i = 0; i < 20; i++) {
                Matcher m = OFFSET.matcher(text);
                StringBuilder b = new StringBuilder();
                int k = 0;
                int target = r.nextInt(20);
                while (m.find()) {
                    long off = Long.parseLong(m.group(1), 16);
                    long changed = k++ == target ? (i % 2 == 0 ? off + 1 : off + 0x100000) : off;
                    m.appendReplacement(b, "+0x" + Long.toHexString(changed));
                }
                m.appendTail(b);
                try {
                    LogAnalysis a = LogAnalyzer.analyze(TracebackParser.parse(b.toString()), 1, "log", bin, "bin",
                            SourceIndex.none(), false);
                    assertTrue(a.model().check().orElseThrow().matches());
                } catch (ChanscopeException x) {
                    assertEquals(ExitCode.BINARY_MISMATCH, x.exitCode(), x.getMessage());
                    mismatches++;
                }
            }
            assertTrue(mismatches > 10, "a moved offset is seen: " + mismatches + " of 20");
        }
    }
}
