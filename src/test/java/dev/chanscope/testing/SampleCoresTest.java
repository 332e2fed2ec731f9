package dev.chanscope.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.testing.SampleCores.Entry;
import dev.chanscope.testing.SampleCores.FileInfo;
import dev.chanscope.testing.SampleCores.ManifestEntry;
import dev.chanscope.testing.SampleCores.Site;
import dev.chanscope.testing.SampleCores.Truth;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SampleCoresTest {

    private static final Set<String> PATTERNS = Set.of("multi-closer", "send-then-close", "double-close",
            "premature-close", "select-close", "defer-close", "close-of-nil", "not-channel-panic");
    private static final Set<String> SITES = Set.of("chansend-first-check", "chansend-after-park", "selectgo",
            "closechan", "other");
    private static final Pattern MARKER = Pattern.compile("\\btruth:(\\w+)");

    static Stream<Entry> samples() {
        List<Entry> all = SampleCores.all();
        assertFalse(all.isEmpty(), "no sample cores under " + SampleCores.sampleCoresDir());
        return all.stream();
    }

    /** The fixture programs: directories of src/test/go with a truth.json. */
    static Set<String> fixtures() throws IOException {
        try (Stream<Path> dirs = Files.list(SampleCores.fixturesDir())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("truth.json")))
                    .map(d -> d.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void findsTheProjectAndItsSampleCores() {
        assertTrue(Files.isRegularFile(SampleCores.projectDir().resolve("pom.xml")));
        assertTrue(Files.isRegularFile(SampleCores.sampleCoresDir().resolve("MANIFEST.json")));
        assertTrue(Files.isRegularFile(SampleCores.fixturesDir().resolve("go.mod")));
    }

    @Test
    void everyFixtureUnderBothGoVersions() throws IOException {
        // The committed set is a subset of the fixtures (the accuracy suite's programs get their
        // cores from scripts/accuracy, not from sample-cores/), the same under every Go version.
        Set<String> fixtures = fixtures();
        List<String> versions = SampleCores.goVersions();
        assertTrue(versions.stream().anyMatch(v -> v.startsWith("1.22.")), "a Go 1.22 toolchain: " + versions);
        assertTrue(versions.stream().anyMatch(v -> SampleCores.versionNumbers(v)[1] >= 26), "Go 1.26 or later: " + versions);
        Set<String> first = null;
        for (String v : versions) {
            Set<String> names = SampleCores.forGo(v).stream().map(Entry::name).collect(Collectors.toCollection(TreeSet::new));
            assertTrue(names.size() >= 10, "samples under go" + v + ": " + names);
            assertTrue(fixtures.containsAll(names), "every sample has its fixture program: " + names);
            if (first == null) {
                first = names;
            }
            assertEquals(first, names, "the same samples under go" + v);
        }
        assertEquals(versions.size() * first.size(), SampleCores.base().size());
    }

    @Test
    void theBuildMatrixIsThere() {
        // What production ships (issue 10): every kind, each for the same programs, one of them
        // with its closing code in a package of a module whose path has no dot.
        Set<String> builds = new TreeSet<>(SampleCores.builds());
        assertTrue(builds.containsAll(Set.of("static", "pie", "cgo", "cgopie", "race", "extlink", "trimpath", "dotless")),
                builds.toString());
        for (String b : builds) {
            Set<String> names = SampleCores.all().stream().filter(e -> e.build().equals(b)).map(Entry::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertTrue(names.containsAll(Set.of("multi-closer", "double-close", "select-close-send",
                    "not-channel-panic", "worker-pool")), b + ": " + names);
        }
        assertTrue(SampleCores.all().stream().anyMatch(e -> e.build().equals("dotless") && !e.module().contains(".")),
                "a dot-less module");
        assertTrue(SampleCores.all().stream().anyMatch(e -> e.goVersion().startsWith("1.27.")), "Go 1.27");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void truthIsTheFixturesTruthAndValid(Entry e) throws IOException {
        Path source = SampleCores.fixturesDir().resolve(e.name()).resolve("truth.json");
        String expected = Files.readString(source)
                .replace("\"" + SampleCores.FIXTURES_MODULE + "/", "\"" + e.module() + "/");
        assertEquals(expected, Files.readString(e.truthFile()),
                "sample-cores truth.json is stale; rerun scripts/make-sample-cores --only " + e.name());
        Truth t = e.truth();
        assertTrue(PATTERNS.contains(t.pattern()), t.pattern());
        assertFalse(t.panicSite().isEmpty());
        assertTrue(SITES.containsAll(t.panicSite()), t.panicSite().toString());
        assertTrue(t.panicMessage() != null ^ t.fatalSignal() != null);
        assertFalse(t.description().isBlank());
        if (t.panicKind().equals("send-on-closed")) {
            assertFalse(t.closer().isEmpty() || t.sender().isEmpty() || t.victim().isEmpty());
        }
        if (t.isChannelPanic()) {
            assertTrue(t.channelElemType() != null && !t.channelElemType().isBlank());
        }
    }

    /** Every site's line carries its {@code // truth:<role>} marker, and every marker is a site. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void truthLinesMatchTheirMarkers(Entry e) throws IOException {
        Path go = SampleCores.fixturesDir();
        Set<String> expected = new TreeSet<>();
        for (Map.Entry<String, List<Site>> role : e.truth().sitesByRole().entrySet()) {
            for (Site s : role.getValue()) {
                Path file = go.resolve(s.file());
                assertTrue(s.file().startsWith(e.name() + "/"), s.file());
                assertTrue(Files.isRegularFile(file), file.toString());
                List<String> lines = Files.readAllLines(file);
                assertTrue(s.line() >= 1 && s.line() <= lines.size(), s.toString());
                String text = lines.get(s.line() - 1);
                assertTrue(text.contains("// ") && MARKER.matcher(text.substring(text.indexOf("//"))).results()
                                .anyMatch(m -> m.group(1).equals(role.getKey())),
                        role.getKey() + " " + s.file() + ":" + s.line() + " is `" + text.strip() + "`");
                expected.add(role.getKey() + "@" + s.file() + ":" + s.line());
            }
        }
        Set<String> markers = new TreeSet<>();
        Path fixture = go.resolve(e.name());
        try (Stream<Path> files = Files.walk(fixture)) { // the fixture's own packages too
            for (Path f : files.filter(p -> p.toString().endsWith(".go")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    int c = lines.get(i).indexOf("//");
                    if (c < 0) {
                        continue;
                    }
                    Matcher m = MARKER.matcher(lines.get(i).substring(c));
                    while (m.find()) {
                        markers.add(m.group(1) + "@" + e.name() + "/" + fixture.relativize(f).toString().replace('\\', '/')
                                + ":" + (i + 1));
                    }
                }
            }
        }
        assertEquals(markers, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void manifestDescribesTheSample(Entry e) throws Exception {
        ManifestEntry m = e.manifest().orElseThrow(() -> new AssertionError(e.id() + " missing from MANIFEST.json"));
        assertEquals(e.goVersion(), m.goVersion());
        assertEquals(e.name(), m.name());
        assertEquals(e.truth().pattern(), m.pattern());
        assertTrue(e.truth().panicSite().contains(m.panicSite()), m.panicSite() + " observed by the generator");
        assertTrue(m.attempts() >= 1);
        assertStored(e.coreXz(), m.core());
        assertStored(e.binaryXz(), m.binary());
        assertEquals(m.stderr().size(), Files.size(e.stderr()));
        assertEquals(m.stderr().sha256(), sha256(e.stderr()));
        assertTrue(Files.size(e.coreXz()) < 4L << 20, "core.xz under 4 MB");
        assertTrue(Files.size(e.binaryXz()) < 4L << 20, "binary.xz under 4 MB");
    }

    private static void assertStored(Path xz, FileInfo info) throws IOException {
        assertEquals(info.storedSize(), Files.size(xz), xz.toString());
        assertTrue(info.size() > info.storedSize());
        assertEquals(64, info.sha256().length());
    }

    @Test
    void manifestHasNoEntryWithoutItsDirectory() {
        Path dir = SampleCores.sampleCoresDir();
        List<String> dangling = new ArrayList<>();
        for (ManifestEntry m : SampleCores.manifest(dir).entries()) {
            if (!Files.isRegularFile(dir.resolve(m.dir()).resolve("core.xz"))) {
                dangling.add(m.dir());
            }
        }
        assertEquals(List.of(), dangling);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void decompressesTheBinaryAndTheCore(Entry e) throws Exception {
        Path bin = e.binary();
        assertTrue(bin.startsWith(SampleCores.cacheDir()));
        assertTrue(Files.isExecutable(bin));
        assertEquals(e.manifest().orElseThrow().binary().size(), Files.size(bin));
        // -buildmode=pie makes a position-independent executable (ET_DYN), every other kind ET_EXEC
        assertEquals(e.build().endsWith("pie") ? 3 : 2, elfType(bin), e.build().endsWith("pie") ? "ET_DYN" : "ET_EXEC");

        Path core = e.core();
        assertEquals(e.manifest().orElseThrow().core().size(), Files.size(core));
        assertEquals(4, elfType(core), "ET_CORE");
        assertEquals(e.manifest().orElseThrow().core().sha256(), sha256(core));
    }

    @Test
    void decompressionIsDoneOnce() throws Exception {
        Entry e = SampleCores.all().get(0);
        Path first = e.binary();
        FileTime written = Files.getLastModifiedTime(first);
        Thread.sleep(20);
        Path again = e.binary();
        assertEquals(first, again);
        assertEquals(written, Files.getLastModifiedTime(again));
    }

    @Test
    void sparseDecompressionKeepsTrailingHolesAndContent(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        byte[] data = new byte[300_000];
        data[70_000] = 7;
        data[200_001] = 9; // the last 64 KiB block and the tail are zero
        Path raw = Files.write(tmp.resolve("raw"), data);
        Path xz = tmp.resolve("raw.xz");
        try (var out = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(xz), new org.tukaani.xz.LZMA2Options())) {
            out.write(data);
        }
        Path back = Files.createFile(tmp.resolve("back"));
        assertEquals(sha256(raw), SampleCores.decompressSparse(xz, back));
        assertArrayEquals(data, Files.readAllBytes(back));
    }

    private static int elfType(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] h = in.readNBytes(18);
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(h, 4), p + " is ELF");
            return (h[16] & 0xff) | (h[17] & 0xff) << 8;
        }
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
