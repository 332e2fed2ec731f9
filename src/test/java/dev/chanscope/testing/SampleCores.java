package dev.chanscope.testing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.tukaani.xz.XZInputStream;

/**
 * The sample cores made by {@code scripts/make-sample-cores}: {@code
 * sample-cores/go<VERSION>/<name>/{core.xz,binary.xz,stderr.txt,truth.json}} and {@code
 * sample-cores/MANIFEST.json}. Cores and binaries are decompressed once into {@code
 * target/sample-cores-cache/} (override with {@code -Dchanscope.sampleCoresCache=DIR}), keyed by
 * the sha256 of the uncompressed file recorded in the manifest, so every test and every JVM
 * shares one copy.
 */
public final class SampleCores {

    /** A source position of the ground truth; {@code file} is relative to {@code src/test/go}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Site(
            String function,
            String file,
            int line,
            String wrapper,
            Boolean closedFirst,
            List<String> reachedFrom) {
        public Site {
            reachedFrom = reachedFrom == null ? List.of() : List.copyOf(reachedFrom);
        }

        /** The function whose code calls the runtime: the defer/go wrapper if there is one. */
        public String callingFunction() {
            return wrapper != null ? wrapper : function;
        }
    }

    /**
     * A fixture's {@code truth.json}. {@code closer}, {@code sender}, {@code victim}, {@code
     * trigger} and {@code panicSite} are lists (the file may hold one value or a list; absent or
     * null is an empty list). {@code panicMessage} is null for a fatal signal ({@code
     * fatalSignal}); {@code channelCapacity} is null when there is no channel (or a nil one).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Truth(
            String pattern,
            String panicMessage,
            String fatalSignal,
            String panicKind,
            List<String> panicSite,
            boolean repanicked,
            List<Site> closer,
            List<Site> sender,
            List<Site> victim,
            List<Site> trigger,
            String channelElemType,
            Integer channelCapacity,
            List<String> upstream,
            String description) {
        public Truth {
            panicSite = nonNull(panicSite);
            closer = nonNull(closer);
            sender = nonNull(sender);
            victim = nonNull(victim);
            trigger = nonNull(trigger);
            upstream = nonNull(upstream);
        }

        private static <T> List<T> nonNull(List<T> l) {
            return l == null ? List.of() : List.copyOf(l);
        }

        public boolean isChannelPanic() {
            return !panicKind.equals("other");
        }

        /** Sites by role: closer, sender, victim, trigger. */
        public Map<String, List<Site>> sitesByRole() {
            Map<String, List<Site>> m = new LinkedHashMap<>();
            m.put("closer", closer);
            m.put("sender", sender);
            m.put("victim", victim);
            m.put("trigger", trigger);
            return m;
        }
    }

    /** One MANIFEST.json file record: sha256 and size of the uncompressed file. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileInfo(String path, String sha256, long size, long storedSize) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ManifestEntry(
            String goVersion,
            String build,
            String module,
            String arch,
            String name,
            String dir,
            String pattern,
            String panicSite,
            int attempts,
            FileInfo core,
            FileInfo binary,
            FileInfo stderr) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Manifest(String generator, List<ManifestEntry> entries) {}

    /** GOARCH of the samples without an {@code arch} in the manifest. */
    public static final String AMD64 = "amd64";

    /** The samples of one GOARCH ({@link Entry#arch()}), every build kind. */
    public static List<Entry> forArch(String arch) {
        return all().stream().filter(e -> e.arch().equals(arch)).toList();
    }

    /** The build kind of the plain {@code go<VERSION>} directories. */
    public static final String STATIC = "static";

    /** The module path the fixtures are written for (truth.json names functions under it). */
    public static final String FIXTURES_MODULE = "chanscope.dev/fixtures";

    /**
     * One sample: a fixture built one way ({@code build}: static, pie, cgo, race, ... as
     * scripts/lib-crash.sh makes them) by one Go version and crashed.
     */
    public record Entry(
            String goVersion,
            String build,
            String name,
            Path dir,
            Path coreXz,
            Path binaryXz,
            Path stderr,
            Path truthFile,
            Truth truth,
            Optional<ManifestEntry> manifest) {

        /** {@code go1.26.8/close-of-nil}, {@code go1.26.8-pie/close-of-nil}. */
        public String id() {
            return dir.getParent().getFileName() + "/" + name;
        }

        public boolean isStatic() {
            return build.equals(STATIC);
        }

        /** The module path the binary was built as (a build kind may rename it). */
        public String module() {
            return manifest.map(ManifestEntry::module).orElse(FIXTURES_MODULE);
        }

        /**
         * The GOARCH the sample was built for and crashed on: {@code amd64}, or {@code arm64} for
         * the {@code go<V>-arm64} samples (built with GOARCH=arm64, crashed under qemu-aarch64-static).
         */
        public String arch() {
            return manifest.map(ManifestEntry::arch).filter(a -> !a.isEmpty()).orElse(AMD64);
        }

        /** The uncompressed core, decompressed on first use. */
        public Path core() {
            return cached(coreXz, manifest.orElseThrow(() -> missing(this)).core(), false);
        }

        /** The uncompressed, executable binary, decompressed on first use. */
        public Path binary() {
            return cached(binaryXz, manifest.orElseThrow(() -> missing(this)).binary(), true);
        }

        public String stderrText() {
            try {
                return Files.readString(stderr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public RuntimeTraceback traceback() {
            return RuntimeTraceback.parse(stderrText());
        }

        /** The Go release as numbers, e.g. [1, 22, 12]. */
        public int[] goVersionNumbers() {
            return versionNumbers(goVersion);
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** {@code go1.26.8} or {@code go1.26.8-pie}: the Go version and the build kind. */
    private static final java.util.regex.Pattern SAMPLE_DIR =
            java.util.regex.Pattern.compile("go(\\d+(?:\\.\\d+)*)(?:-([a-z0-9]+))?");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static volatile List<Entry> all;

    private SampleCores() {}

    /** The project base directory: the nearest directory at or above user.dir with a pom.xml. */
    public static Path projectDir() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no pom.xml at or above " + p);
    }

    public static Path sampleCoresDir() {
        return projectDir().resolve("sample-cores");
    }

    /** The fixture programs' module: {@code src/test/go}. */
    public static Path fixturesDir() {
        return projectDir().resolve("src/test/go");
    }

    public static Path cacheDir() {
        String prop = System.getProperty("chanscope.sampleCoresCache");
        return prop != null ? Path.of(prop) : projectDir().resolve("target/sample-cores-cache");
    }

    /** Every sample, sorted by Go version then name. */
    public static List<Entry> all() {
        List<Entry> l = all;
        if (l == null) {
            synchronized (SampleCores.class) {
                if (all == null) {
                    all = load(sampleCoresDir());
                }
                l = all;
            }
        }
        return l;
    }

    /**
     * The static samples: every committed fixture, built the plain way, under each Go version of
     * the base set. {@link #all()} adds the build matrix (PIE, cgo, race, ...) of a few fixtures.
     */
    public static List<Entry> base() {
        return all().stream().filter(Entry::isStatic).toList();
    }

    /** The Go versions of the base set, oldest first. */
    public static List<String> goVersions() {
        return base().stream().map(Entry::goVersion).distinct().toList();
    }

    /** The build kinds among the samples. */
    public static List<String> builds() {
        return all().stream().map(Entry::build).distinct().sorted().toList();
    }

    public static List<Entry> forGo(String goVersion) {
        return base().stream().filter(e -> e.goVersion().equals(goVersion)).toList();
    }

    public static List<Entry> named(String name) {
        return base().stream().filter(e -> e.name().equals(name)).toList();
    }

    public static Entry get(String goVersion, String name) {
        return base().stream()
                .filter(e -> e.goVersion().equals(goVersion) && e.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sample go" + goVersion + "/" + name));
    }

    public static Manifest manifest(Path dir) {
        Path f = dir.resolve("MANIFEST.json");
        if (!Files.isRegularFile(f)) {
            return new Manifest(null, List.of());
        }
        try {
            Manifest m = JSON.readValue(f.toFile(), Manifest.class);
            return new Manifest(m.generator(), m.entries() == null ? List.of() : m.entries());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Truth readTruth(Path truthJson) {
        try {
            return JSON.readValue(truthJson.toFile(), Truth.class);
        } catch (IOException e) {
            throw new UncheckedIOException(truthJson + ": " + e.getMessage(), e);
        }
    }

    static List<Entry> load(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Map<String, ManifestEntry> byDir = new LinkedHashMap<>();
        for (ManifestEntry m : manifest(dir).entries()) {
            byDir.put(m.dir(), m);
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> versions = Files.list(dir)) {
            for (Path v : versions.filter(Files::isDirectory).toList()) {
                String vname = v.getFileName().toString();
                java.util.regex.Matcher dm = SAMPLE_DIR.matcher(vname);
                if (!dm.matches()) {
                    continue;
                }
                String version = dm.group(1);
                String build = dm.group(2) != null ? dm.group(2) : STATIC;
                try (Stream<Path> names = Files.list(v)) {
                    for (Path d : names.filter(p -> Files.isRegularFile(p.resolve("truth.json"))).toList()) {
                        String name = d.getFileName().toString();
                        String rel = vname + "/" + name;
                        out.add(new Entry(version, build, name, d, d.resolve("core.xz"), d.resolve("binary.xz"),
                                d.resolve("stderr.txt"), d.resolve("truth.json"), readTruth(d.resolve("truth.json")),
                                Optional.ofNullable(byDir.get(rel))));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.<Entry, String>comparing(e -> versionKey(e.goVersion()))
                .thenComparing(e -> e.isStatic() ? "" : e.build())
                .thenComparing(Entry::name));
        return List.copyOf(out);
    }

    static int[] versionNumbers(String v) {
        String[] parts = v.split("\\.");
        int[] n = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String digits = parts[i].replaceAll("\\D.*$", ""); // 1.27rc1 -> 27
            n[i] = digits.isEmpty() ? 0 : Integer.parseInt(digits);
        }
        return n;
    }

    private static String versionKey(String v) {
        StringBuilder b = new StringBuilder();
        for (int n : versionNumbers(v)) {
            b.append(String.format("%06d.", n));
        }
        return b.toString();
    }

    private static IllegalStateException missing(Entry e) {
        return new IllegalStateException(e.id() + " is not in sample-cores/MANIFEST.json; rerun scripts/make-sample-cores");
    }

    // ---- decompression cache ----

    private static volatile boolean pruned;

    /** Removes cached files of earlier generations (sha256 directories no longer in the manifest). */
    private static void pruneCache() {
        if (pruned) {
            return;
        }
        synchronized (SampleCores.class) {
            if (pruned) {
                return;
            }
            pruned = true;
            Path dir = cacheDir();
            if (!Files.isDirectory(dir)) {
                return;
            }
            java.util.Set<String> live = new java.util.HashSet<>();
            for (Entry e : all()) {
                e.manifest().ifPresent(m -> {
                    live.add(m.core().sha256());
                    live.add(m.binary().sha256());
                });
            }
            try (Stream<Path> old = Files.list(dir)) {
                for (Path d : old.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")
                        && !live.contains(p.getFileName().toString())).toList()) {
                    try (Stream<Path> files = Files.list(d)) {
                        for (Path f : files.toList()) {
                            Files.deleteIfExists(f);
                        }
                    }
                    Files.deleteIfExists(d);
                }
            } catch (IOException e) {
                // a stale cache only costs disk space
            }
        }
    }

    private static Path cached(Path xz, FileInfo info, boolean executable) {
        pruneCache();
        String leaf = xz.getFileName().toString().replaceFirst("\\.xz$", "");
        Path target = cacheDir().resolve(info.sha256()).resolve(leaf);
        try {
            if (Files.isRegularFile(target) && Files.size(target) == info.size()) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), leaf, ".part");
            try {
                String sha = decompressSparse(xz, tmp);
                if (!sha.equals(info.sha256())) {
                    throw new IllegalStateException(xz + " decompresses to sha256 " + sha + ", MANIFEST.json says "
                            + info.sha256() + "; rerun scripts/make-sample-cores");
                }
                if (executable) {
                    tmp.toFile().setExecutable(true, false);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("decompressing " + xz, e);
        }
    }

    /**
     * Decompresses {@code xz} into {@code out}, leaving holes for all-zero blocks (cores are mostly
     * zero), and returns the sha256 of the decompressed bytes.
     */
    static String decompressSparse(Path xz, Path out) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        long pos = 0;
        try (InputStream in = new DigestInputStream(new XZInputStream(
                        new java.io.BufferedInputStream(Files.newInputStream(xz), 1 << 16)), sha);
                FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    break;
                }
                if (!allZero(buf, n)) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    long p = pos;
                    while (bb.hasRemaining()) {
                        p += ch.write(bb, p);
                    }
                }
                pos += n;
            }
            if (ch.size() < pos) {
                // extend over a trailing hole
                ch.write(ByteBuffer.wrap(new byte[1]), pos - 1);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static boolean allZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
