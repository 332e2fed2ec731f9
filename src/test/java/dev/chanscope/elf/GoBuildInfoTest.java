package dev.chanscope.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chanscope.testing.SampleCores;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The build information a stripped binary keeps: the Go version and the build settings. */
class GoBuildInfoTest {
    @Test
    void settingsAndExperimentsOfTheModuleInfo() {
        GoBuildInfo bi = new GoBuildInfo("go1.26.8", "path\tchanscope.dev/fixtures/x\nmod\tchanscope.dev/fixtures\t(devel)\t\n"
                + "build\t-ldflags=\"-s -w\"\nbuild\tGOARCH=arm64\nbuild\tGOEXPERIMENT=fieldtrack,boringcrypto\n");
        assertEquals(Map.of("-ldflags", "\"-s -w\"", "GOARCH", "arm64", "GOEXPERIMENT", "fieldtrack,boringcrypto"),
                bi.settings());
        assertEquals("fieldtrack,boringcrypto", bi.experiments());
        assertEquals("", new GoBuildInfo("go1.22.12", "path\tx\n").experiments());
    }

    @Test
    void aStrippedSampleKeepsItsVersionAndFlags() {
        SampleCores.Entry e = SampleCores.all().stream()
                .filter(x -> x.build().equals("stripped") && x.goVersion().equals("1.22.12")).findFirst().orElseThrow();
        try (ElfFile exe = ElfFile.open(e.binary())) {
            GoBuildInfo bi = GoBuildInfo.read(exe).orElseThrow();
            assertEquals("go1.22.12", bi.goVersion());
            assertEquals("amd64", bi.settings().get("GOARCH"));
            assertEquals("\"-s -w\"", bi.settings().get("-ldflags"));
            assertEquals("", bi.experiments());
        }
    }
}
