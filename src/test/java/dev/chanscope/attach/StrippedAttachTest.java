package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@code attach} on a process whose binary has no symbols and no DWARF ({@code objcopy
 * --strip-all}, as a release pipeline strips): the runtime's layouts come from the built-in
 * table of its Go release, the roots from the pclntab and the code, and the view is the one the
 * unstripped build gives; the process is left exactly as it was found.
 */
class StrippedAttachTest {
    static final List<String> GO_VERSIONS = LivePrograms.GO_VERSIONS;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "go{0}")
    @FieldSource("GO_VERSIONS")
    void aStrippedProcessIsReadWithTheBuiltInLayouts(String go) throws Exception {
        Path full = LivePrograms.extract(tmp, go, "live-blocked");
        Path bin = tmp.resolve("live-blocked-stripped-go" + go);
        Process strip = new ProcessBuilder("objcopy", "--strip-all", full.toString(), bin.toString())
                .redirectErrorStream(true).start();
        assertTrue(strip.waitFor(60, TimeUnit.SECONDS) && strip.exitValue() == 0,
                new String(strip.getInputStream().readAllBytes()));
        JsonNode j = AttachBlockedTest.attachStopped(tmp, bin, go);
        assertEquals("built-in table for go" + go + "/amd64", j.get("layouts").asText());
    }
}
