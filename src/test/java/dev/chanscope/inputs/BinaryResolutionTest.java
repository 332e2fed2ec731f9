package dev.chanscope.inputs;

import static dev.chanscope.inputs.Inputs.assertOneLineError;
import static dev.chanscope.inputs.Inputs.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;
import dev.chanscope.elf.BuildIds;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which binary chanscope analyzes a core with: --binary, the bundle's, a --binary-search match,
 * the path the core records; and what it says when the one it has is another build.
 */
class BinaryResolutionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String goId(Path binary) {
        try (ElfFile f = ElfFile.open(binary)) {
            return BuildIds.of(f).go().orElseThrow();
        }
    }

    @Test
    void aTarZstBundleOfCoreAndBinaryNeedsNoBinaryOption() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        Path bundle = tmp.resolve("incident-42.tar.zst");
        try (OutputStream f = Files.newOutputStream(bundle);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new ZstdOutputStream(f))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            add(tar, "incident-42/README", "collected by the on-call script\n".getBytes(), 0644);
            add(tar, "incident-42/core", Files.readAllBytes(e.core()), 0600);
            add(tar, "incident-42/bin/multi-closer", Files.readAllBytes(e.binary()), 0755);
        }
        Inputs.Run r = run(tmp, "analyze", "--json", bundle.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("send-on-closed", j.at("/panic/kind").asText());
        assertEquals(List.of("zstd", "tar"), List.of(j.at("/input/layers/0").asText(), j.at("/input/layers/1").asText()));
        assertEquals("(from the bundle)", j.at("/input/binary").asText());
        assertFalse(j.get("partial").asBoolean(), j.get("warnings").toString());
    }

    @Test
    void aSystemdCoredumpFileIsAnalyzedAsItIsWithTheBinaryFoundBySearch() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        Path store = Files.createDirectories(tmp.resolve("var/lib/systemd/coredump"));
        Path core = store.resolve("core.multi-closer.0.3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f.4242.1732780800000000.zst");
        Inputs.exec(tmp, "zstd", "-q", "-19", "--long=27", "-o", core.toString(), e.core().toString());
        Path releases = Files.createDirectories(tmp.resolve("releases/v1.2.3"));
        Files.copy(e.binary(), releases.resolve("multi-closer"));
        Files.copy(Inputs.newest("double-close").binary(), Files.createDirectories(tmp.resolve("releases/v1.2.2"))
                .resolve("double-close"));
        Inputs.Run r = run(tmp, "analyze", "--json", "--binary-search", tmp.resolve("releases").toString(), core.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("send-on-closed", j.at("/panic/kind").asText());
        assertEquals(List.of("zstd"), List.of(j.at("/input/layers/0").asText()));
        assertEquals(releases.resolve("multi-closer").toString(), j.at("/input/binary").asText());
    }

    @Test
    void binarySearchFindsTheRightBinaryAmongSeveralByBuildId() throws Exception {
        // Same program from another Go version, other programs, non-ELF files, a nested dir.
        Path dir = Files.createDirectories(tmp.resolve("builds"));
        for (String n : List.of("double-close", "premature-close", "send-then-close")) {
            Files.copy(Inputs.newest(n).binary(), dir.resolve(n));
        }
        Files.copy(Inputs.oldest("multi-closer").binary(), dir.resolve("multi-closer-go1.22"));
        Files.writeString(dir.resolve("CHANGELOG.md"), "# 1.2.3\n");
        Files.write(dir.resolve("short"), new byte[] {0x7f, 'E'});
        Path deep = Files.createDirectories(dir.resolve("a/b/c"));
        SampleCores.Entry e = Inputs.newest("multi-closer");
        Files.copy(e.binary(), deep.resolve("server"));
        Inputs.Run r = run(tmp, "analyze", "--json", "--binary-search", tmp.resolve("nothing-here-but-ok").toString(),
                e.coreXz().toString());
        assertOneLineError(r, 3, "--binary-search", "no such directory");
        Files.createDirectories(tmp.resolve("empty"));
        r = run(tmp, "analyze", "--json", "--binary-search", tmp.resolve("empty").toString(), "--binary-search",
                dir.toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(deep.resolve("server").toString(), j.at("/input/binary").asText());
        assertEquals("send-on-closed", j.at("/panic/kind").asText());
    }

    @Test
    void binarySearchUnwrapsCompressedBinaries() throws Exception {
        // sample-cores/go1.26.8 holds every binary as binary.xz: point the search at it.
        SampleCores.Entry e = Inputs.newest("select-close-send");
        Inputs.Run r = run(tmp, "analyze", "--json", "--binary-search", e.dir().toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(e.binaryXz().toString(), j.at("/input/binary").asText());
        assertEquals("send-on-closed", j.at("/panic/kind").asText());
    }

    @Test
    void noMatchSaysWhatWasTriedAndTheCoresBuildId() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        Path dir = Files.createDirectories(tmp.resolve("wrong"));
        Files.copy(Inputs.newest("double-close").binary(), dir.resolve("double-close"));
        Inputs.Run r = run(tmp, "analyze", "--binary-search", dir.toString(), e.coreXz().toString());
        assertOneLineError(r, 4, "no binary for core", "Go build id " + goId(e.binary()),
                "looked at 1 file (1 executable) under " + dir, "the core names /", "--binary");
        // without any search: a usage error that says how to pass one
        Inputs.Run u = run(tmp, "analyze", e.coreXz().toString());
        assertOneLineError(u, 2, "no binary for core", "which is not here", "--binary-search DIR");
    }

    @Test
    void aWrongBinaryIsExitFourNamingBothIds() throws Exception {
        SampleCores.Entry core = Inputs.newest("multi-closer");
        SampleCores.Entry other = Inputs.newest("double-close");
        Inputs.Run r = run(tmp, "analyze", "--binary", other.binaryXz().toString(), core.coreXz().toString());
        assertOneLineError(r, 4, "binary " + other.binaryXz() + " (Go build id " + goId(other.binary()) + ")",
                "does not match core " + core.coreXz() + " (Go build id " + goId(core.binary()) + ")",
                "--binary-search DIR", "--force");
    }

    @Test
    void forceAnalyzesAMismatchAnywayAndSaysSo() throws Exception {
        // The same program from another Go version: the layouts differ, the analysis may still
        // run; whatever happens, --force must say the report rests on another build.
        SampleCores.Entry core = Inputs.newest("multi-closer");
        Path other = Inputs.oldest("multi-closer").binary();
        Inputs.Run r = run(tmp, "analyze", "--json", "--force", "--binary", other.toString(), core.coreXz().toString());
        if (r.exit() == 1) {
            JsonNode j = JSON.readTree(r.out());
            assertTrue(j.get("partial").asBoolean());
            String w = j.get("warnings").get(0).asText();
            assertTrue(w.startsWith("--force: binary " + other + " (Go build id " + goId(other) + ") does not match"), w);
            assertTrue(w.contains("analyzed anyway"), w);
        } else {
            assertOneLineError(r, 4, "--force", "another build");
        }
        // A binary that differs only in its build id note is analyzed as the real one would be.
        Path patched = tmp.resolve("patched");
        Files.copy(core.binary(), patched);
        patchGoBuildId(patched);
        Inputs.Run p = run(tmp, "analyze", "--json", "--force", "--binary", patched.toString(), core.coreXz().toString());
        assertEquals(1, p.exit(), p.err());
        JsonNode j = JSON.readTree(p.out());
        assertEquals("send-on-closed", j.at("/panic/kind").asText());
        assertTrue(j.get("warnings").get(0).asText().startsWith("--force: binary " + patched), j.get("warnings").toString());
        Inputs.Run strict = run(tmp, "analyze", "--binary", patched.toString(), core.coreXz().toString());
        assertOneLineError(strict, 4, "does not match");
    }

    @Test
    void aBundlesWrongBinaryGivesWayToASearchMatch() throws Exception {
        SampleCores.Entry e = Inputs.newest("double-close");
        Path bundle = tmp.resolve("b.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(bundle))) {
            add(tar, "core", Files.readAllBytes(e.core()), 0600);
            add(tar, "server", Files.readAllBytes(Inputs.newest("multi-closer").binary()), 0755);
        }
        Inputs.Run wrong = run(tmp, "analyze", bundle.toString());
        assertOneLineError(wrong, 4, "binary from " + bundle, "does not match core " + bundle);
        Path dir = Files.createDirectories(tmp.resolve("search"));
        Files.copy(e.binary(), dir.resolve("double-close"));
        Inputs.Run r = run(tmp, "analyze", "--json", "--binary-search", dir.toString(), bundle.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(dir.resolve("double-close").toString(), JSON.readTree(r.out()).at("/input/binary").asText());
    }

    @Test
    void theRecordedPathIsUsedOnlyWhenItsIdMatches() throws Exception {
        // A C core names its program; chanscope takes it (and finds it is not Go)...
        Inputs.CCore c = Inputs.cCore(tmp.resolve("c"), "");
        Inputs.Run r = run(tmp, "analyze", c.core().toString());
        assertOneLineError(r, 3, "binary " + c.binary().toRealPath(), "not a Go program");
        // ...but not once another build has replaced it at that path.
        Files.writeString(c.binary().resolveSibling("abort.c"), "#include <stdlib.h>\nint other;\nint main(void) { abort(); }\n");
        Inputs.exec(c.binary().getParent(), "gcc", "-O1", "-o", "abort", "abort.c");
        Inputs.Run m = run(tmp, "analyze", c.core().toString());
        assertOneLineError(m, 4, "no binary for core", "GNU build id", "the core names " + c.binary().toRealPath(),
                "another build (GNU build id");
    }

    /** Overwrites the Go build id note's text with another of the same length. */
    private static void patchGoBuildId(Path binary) throws IOException {
        String id;
        try (ElfFile f = ElfFile.open(binary)) {
            id = BuildIds.of(f).go().orElseThrow();
        }
        byte[] b = Files.readAllBytes(binary);
        byte[] needle = id.getBytes();
        int at = indexOf(b, needle);
        assertTrue(at > 0);
        for (int i = 0; i < needle.length; i++) {
            if (b[at + i] != '/') {
                b[at + i] = (byte) (b[at + i] == 'x' ? 'y' : 'x');
            }
        }
        Files.write(binary, b);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] data, int mode) throws IOException {
        TarArchiveEntry en = new TarArchiveEntry(name);
        en.setSize(data.length);
        en.setMode(mode);
        tar.putArchiveEntry(en);
        tar.write(data);
        tar.closeArchiveEntry();
    }
}
