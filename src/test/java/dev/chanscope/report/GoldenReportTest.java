package dev.chanscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The text, Markdown and JSON reports of three sample cores, byte for byte against the files in
 * src/test/resources/golden. A change in wording or layout shows up here as a diff to review;
 * after reviewing it, regenerate with {@code mvn test -Dtest=GoldenReportTest -Dgolden.update=true}.
 */
class GoldenReportTest {
    private static final Path DIR = SampleCores.projectDir().resolve("src/test/resources/golden");

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("1.26.8", "multi-closer", true),
                Arguments.of("1.26.8", "send-then-close", true),
                Arguments.of("1.22.12", "defer-close", false));
    }

    @ParameterizedTest(name = "go{0} {1} source={2}")
    @MethodSource("samples")
    void reportsMatchTheGoldenFiles(String go, String name, boolean withSource) throws IOException {
        ReportSamples r = ReportSamples.of(SampleCores.get(go, name), withSource);
        String base = "go" + go + "-" + name + (withSource ? "" : "-nosource");
        check(base + ".txt", r.text());
        check(base + ".md", r.markdown());
        check(base + ".json", r.json() + "\n");
    }

    private static void check(String file, String actual) throws IOException {
        Path p = DIR.resolve(file);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(DIR);
            Files.writeString(p, actual);
            return;
        }
        assertEquals(Files.readString(p), actual, file + " differs from the golden file (see the class comment)");
    }
}
