package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same program built for arm64 and for amd64 must give the diagnosis the same evidence
 * (docs/arm64.md): every channel operation, go statement and select of user code, at the same
 * source line, with the same channel operand (a field of a parameter, a captured word of a
 * closure and who built it, a global, a makechan result, ...). Addresses differ between the
 * two binaries, so program counters are left out of the comparison.
 */
class Arm64BinaryFactsTest {

    static Stream<SampleCores.Entry> arm64() {
        List<SampleCores.Entry> l = SampleCores.forArch("arm64");
        assertTrue(l.size() >= 6, "arm64 samples: " + l.size());
        return l.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arm64")
    void sameSitesAndOperandsAsTheAmd64Build(SampleCores.Entry arm) {
        SampleCores.Entry amd = SampleCores.get(arm.goVersion(), arm.name());
        List<String> want = facts(amd);
        List<String> got = facts(arm);
        assertTrue(want.stream().anyMatch(s -> s.startsWith("GO ")), "the amd64 build has go statements: " + want);
        assertEquals(String.join("\n", want), String.join("\n", got), arm.id());
    }

    private static List<String> facts(SampleCores.Entry e) {
        List<String> out = new ArrayList<>();
        try (ElfFile exe = ElfFile.open(e.binary())) {
            ScannedBinary b = BinaryScanner.scan(exe);
            for (CallSite s : b.sites()) {
                if (!b.isUserFunction(s.physical())) {
                    continue;
                }
                out.add((s.op() + " " + s.physical() + ":" + s.source().line() + " " + b.channelOperand(s)
                        + " " + b.selectSendOperands(s) + " " + b.selectShape(s) + " " + s.goTarget())
                        .replaceAll("pc=\\d+", "pc=?"));
            }
        }
        out.sort(null);
        return out;
    }
}
