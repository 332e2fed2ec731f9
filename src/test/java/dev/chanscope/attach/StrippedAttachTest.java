package dev.chanscope.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code attach} on a process whose binary has no symbols and no DWARF ({@code objcopy
 * --strip-all}, as a release pipeline strips): the runtime's layouts come from the built-in
 * table of its Go release, the roots from the pclntab and the code, and the view is the one the
 * unstripped build gives; the process is left exactly as it was found. Also as release builds
 * ship ({@code -ldflags="-s -w"}): PIE with Go 1.27.4, external linking with Go 1.22.12.
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

    /** Release builds as they ship: {@code -s -w}, position-independent or externally linked, old and new Go. */
    static Stream<Arguments> builds() {
        return Stream.of(
                Arguments.of("1.27.4", List.of("-buildmode=pie", "-ldflags=-s -w")),
                Arguments.of("1.22.12", List.of("-ldflags=-s -w -linkmode=external")));
    }

    @ParameterizedTest(name = "go{0} {1}")
    @MethodSource("builds")
    void aStrippedReleaseBuildIsReadWithTheBuiltInLayouts(String go, List<String> flags) throws Exception {
        Path bin = tmp.resolve("live-blocked-" + go + "-" + flags.size());
        List<String> cmd = new java.util.ArrayList<>(List.of("go", "build"));
        cmd.addAll(flags);
        cmd.addAll(List.of("-o", bin.toString(), "./live-blocked"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(SampleCores.fixturesDir().toFile()).redirectErrorStream(true);
        pb.environment().put("GOTOOLCHAIN", "go" + go);
        pb.environment().put("GOFLAGS", "-buildvcs=false");
        pb.environment().put("CGO_ENABLED", "1");
        Process build = pb.start();
        String log = new String(build.getInputStream().readAllBytes());
        assertTrue(build.waitFor(600, TimeUnit.SECONDS) && build.exitValue() == 0, log);

        JsonNode j = AttachBlockedTest.attachStopped(tmp, bin, go);
        assertEquals("built-in table for go" + go + "/amd64", j.get("layouts").asText());
    }
}
