package dev.chanscope.inputs;

import static dev.chanscope.inputs.Inputs.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.elf.BuildDebugInfo;
import dev.chanscope.elf.BuildIds;
import dev.chanscope.elf.BuildSearch;
import dev.chanscope.elf.CoreBuildIds;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/** --binary-search on real directory trees. */
class BuildSearchTest {
    @TempDir
    Path tmp;

    private static BuildIds coreIds(SampleCores.Entry e) {
        try (ElfFile core = ElfFile.open(e.core())) {
            return CoreBuildIds.read(core).ids();
        }
    }

    @Test
    void findsTheMatchAndCountsWhatItLookedAt() throws Exception {
        SampleCores.Entry e = Inputs.newest("premature-close");
        Path root = Files.createDirectories(tmp.resolve("r"));
        Files.copy(Inputs.newest("double-close").binary(), root.resolve("a"));
        Files.copy(Inputs.oldest("premature-close").binary(), root.resolve("b"));
        Files.writeString(root.resolve("notes.txt"), "hello");
        Files.copy(e.core(), root.resolve("core")); // an ELF, but no executable
        Files.copy(e.binary(), Files.createDirectories(root.resolve("x/y")).resolve("z"));
        BuildSearch.Result r = new BuildSearch(BuildSearch.Unwrapper.NONE).find(List.of(root), coreIds(e));
        assertEquals(root.resolve("x/y/z"), r.match().orElseThrow().file());
        assertEquals(root.resolve("x/y/z"), r.match().orElseThrow().origin());
        assertEquals(5, r.files());
        assertEquals(3, r.executables());
        assertFalse(r.truncated());
        assertEquals("looked at 5 files (3 executables) under " + root, r.summary(List.of(root)));
    }

    @Test
    void prefersACopyWithDebugInformationOverAStrippedOneWithTheSameIds() throws Exception {
        // binutils strip keeps the note sections, so both copies carry the core's build id.
        SampleCores.Entry e = Inputs.newest("multi-closer");
        Path root = Files.createDirectories(tmp.resolve("r"));
        Path stripped = root.resolve("a-stripped");
        Inputs.exec(tmp, "strip", "-o", stripped.toString(), e.binary().toString());
        try (ElfFile s = ElfFile.open(stripped)) {
            assertFalse(BuildDebugInfo.of(s).hasDwarf());
            assertEquals(coreIds(e).go(), BuildIds.of(s).go());
        }
        BuildSearch.Result only = new BuildSearch(BuildSearch.Unwrapper.NONE).find(List.of(root), coreIds(e));
        assertEquals(stripped, only.match().orElseThrow().file(), "a stripped match is better than none");
        Files.copy(e.binary(), root.resolve("b-full"));
        BuildSearch.Result both = new BuildSearch(BuildSearch.Unwrapper.NONE).find(List.of(root), coreIds(e));
        assertEquals(root.resolve("b-full"), both.match().orElseThrow().file());
        // Through the CLI, the stripped-only match is read with the built-in layouts.
        Files.delete(root.resolve("b-full"));
        Inputs.Run r = Inputs.run(tmp, "analyze", "--json", "--binary-search", root.toString(), e.coreXz().toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"layouts\" : \"built-in table for go" + e.goVersion() + "/amd64\""), r.out());
    }

    @Test
    void theWalkIsBoundedInDepthAndDoesNotFollowDirectoryLinks() throws Exception {
        SampleCores.Entry e = Inputs.newest("double-close");
        Path root = Files.createDirectories(tmp.resolve("r"));
        Files.createSymbolicLink(root.resolve("loop"), root);
        Path deep = root;
        for (int i = 0; i < BuildSearch.MAX_DEPTH - 1; i++) {
            deep = deep.resolve("d" + i);
        }
        Files.createDirectories(deep);
        Files.copy(e.binary(), deep.resolve("server"));
        BuildSearch.Result found = new BuildSearch(BuildSearch.Unwrapper.NONE).find(List.of(root), coreIds(e));
        assertEquals(deep.resolve("server"), found.match().orElseThrow().file());
        Path deeper = Files.createDirectories(deep.resolve("one-more"));
        Files.move(deep.resolve("server"), deeper.resolve("server"));
        BuildSearch.Result notFound = new BuildSearch(BuildSearch.Unwrapper.NONE).find(List.of(root), coreIds(e));
        assertEquals(Optional.empty(), notFound.match());
        assertEquals(0, notFound.files());
    }

    @Test
    void compressedCandidatesGoThroughTheUnwrapperAfterThePlainOnes() throws Exception {
        SampleCores.Entry e = Inputs.newest("close-of-nil");
        Path root = Files.createDirectories(tmp.resolve("r"));
        Files.copy(e.binaryXz(), root.resolve("close-of-nil.xz"));
        Files.copy(Inputs.newest("double-close").binaryXz(), root.resolve("double-close.xz"));
        try (var small = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(root.resolve("a-manpage.xz")),
                new org.tukaani.xz.LZMA2Options())) {
            small.write("too small to be a Go program\n".getBytes());
        }
        List<Path> unwrapped = new ArrayList<>();
        BuildSearch.Unwrapper xz = new BuildSearch.Unwrapper() {
            @Override
            public boolean recognises(byte[] head) {
                return head.length > 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z';
            }

            @Override
            public InputStream open(Path file) throws java.io.IOException {
                return new XZInputStream(Files.newInputStream(file));
            }

            @Override
            public Optional<Path> unwrap(Path file) {
                unwrapped.add(file);
                Path out = tmp.resolve("unwrapped-" + unwrapped.size());
                try (InputStream in = new XZInputStream(Files.newInputStream(file))) {
                    Files.copy(in, out);
                } catch (java.io.IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
                return Optional.of(out);
            }
        };
        BuildSearch.Result r = new BuildSearch(xz).find(List.of(root), coreIds(e));
        assertEquals(root.resolve("close-of-nil.xz"), r.match().orElseThrow().origin());
        assertEquals(List.of(root.resolve("close-of-nil.xz")), unwrapped,
                "only the match is decompressed whole; small files left alone");
        assertEquals(Optional.empty(), new BuildSearch(BuildSearch.Unwrapper.NONE).find(List.of(root), coreIds(e)).match());
    }

    @Test
    void aMissingDirectoryIsAnErrorAndACoreWithoutIdsMatchesNothing() throws Exception {
        ChanscopeException x = assertThrows(ChanscopeException.class, () -> new BuildSearch(BuildSearch.Unwrapper.NONE)
                .find(List.of(tmp.resolve("nope")), coreIds(Inputs.newest("double-close"))));
        assertTrue(x.getMessage().contains("no such directory"), x.getMessage());
        Files.copy(Inputs.newest("double-close").binary(), tmp.resolve("b"));
        BuildSearch.Result r = new BuildSearch(BuildSearch.Unwrapper.NONE).find(List.of(tmp), BuildIds.NONE);
        assertEquals(Optional.empty(), r.match());
    }

    /**
     * The README's batch command: one index of sample-cores/ serves every sample core, and each
     * finds its own binary.xz. Before, the search decompressed at most 16 compressed candidates
     * whole and then said "none with the core's build id" (8 of 24 cores failed); now each
     * candidate is read only as far as its build-id notes, and only the match is decompressed.
     */
    @Test
    void oneIndexOfTheSampleCoresFindsEveryCoresBinary() throws Exception {
        List<Path> unwrapped = new ArrayList<>();
        java.util.Map<Path, SampleCores.Entry> byXz = new java.util.HashMap<>();
        SampleCores.all().forEach(e -> byXz.put(e.binaryXz().toAbsolutePath(), e));
        BuildSearch.Unwrapper real = new BuildSearch.Unwrapper() {
            @Override
            public boolean recognises(byte[] head) {
                return dev.chanscope.acquire.Format.detect(head, head.length).kind()
                        == dev.chanscope.acquire.Format.Kind.COMPRESSED;
            }

            @Override
            public InputStream open(Path file) throws java.io.IOException {
                return dev.chanscope.acquire.Acquirer.openDecompressed(file);
            }

            @Override
            public Optional<Path> unwrap(Path file) {
                // the samples' own decompressed copy (shared with the other tests) stands for the cache
                unwrapped.add(file);
                return Optional.of(byXz.get(file.toAbsolutePath()).binary());
            }
        };
        Path root = SampleCores.sampleCoresDir();
        BuildSearch.Index index = new BuildSearch(real).index(List.of(root));
        List<SampleCores.Entry> all = SampleCores.all();
        assertTrue(all.size() > 16, "fewer samples than the old cap: the test would prove nothing");
        assertEquals(all.size(), index.executables(), "every binary.xz is an executable, no core.xz is");
        assertEquals(0, index.unread().size(), "every sample binary has its notes in its first bytes");
        assertTrue(index.decompressedBytes() < all.size() * 64L * 1024,
                "decoded " + index.decompressedBytes() + " bytes for " + all.size() + " candidates");
        List<String> missed = new ArrayList<>();
        for (SampleCores.Entry e : all) {
            BuildIds core = coreIds(e);
            int before = unwrapped.size();
            BuildSearch.Result r = index.find(core, real);
            if (r.match().isEmpty() && !(e.arch().equals("arm64") && core.isEmpty())) {
                missed.add(e.id() + " (" + core.describe() + ")");
                continue;
            }
            if (r.match().isEmpty()) {
                // qemu-user writes no build-id note (CoreBuildIdsTest): nothing to search by; a
                // kernel's arm64 core has one
                continue;
            }
            assertEquals(before + 1, unwrapped.size(), e.id() + ": only the match is decompressed whole");
            try (ElfFile found = ElfFile.open(r.match().get().file())) {
                assertTrue(dev.chanscope.elf.BuildMatch.compare(core, BuildIds.of(found)).matches(), e.id());
            }
            Path origin = r.match().get().origin();
            assertEquals("binary.xz", origin.getFileName().toString(), e.id());
            try (ElfFile found = ElfFile.open(r.match().get().file())) {
                BuildIds prefix = index.candidates().stream().filter(c -> c.file().equals(origin)).findFirst()
                        .orElseThrow().ids();
                assertEquals(BuildIds.of(found), prefix, e.id() + ": the ids of the first bytes are the file's");
            }
        }
        assertEquals(List.of(), missed);
    }

    /**
     * A compressed candidate is read only as far as its build-id notes: here a binary followed
     * by 1 GiB of zeros, as zstd (about 40 KB of them). Its ids come from under 64 KB of data.
     */
    @Test
    void aCompressedCandidateIsDecodedOnlyAsFarAsItsNotes() throws Exception {
        SampleCores.Entry e = Inputs.newest("double-close");
        Path root = Files.createDirectories(tmp.resolve("r"));
        Path padded = tmp.resolve("padded");
        Files.copy(e.binary(), padded);
        try (var ch = java.nio.channels.FileChannel.open(padded, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), Files.size(e.binary()) + (1L << 30) - 1);
        }
        Inputs.exec(tmp, "zstd", "-q", "-1", padded.toString(), "-o", root.resolve("server.zst").toString());
        Files.delete(padded);
        long[] read = new long[1];
        BuildSearch.Unwrapper counting = new BuildSearch.Unwrapper() {
            @Override
            public boolean recognises(byte[] head) {
                return true;
            }

            @Override
            public InputStream open(Path file) throws java.io.IOException {
                return new java.io.FilterInputStream(dev.chanscope.acquire.Acquirer.openDecompressed(file)) {
                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        int n = super.read(b, off, len);
                        read[0] += Math.max(n, 0);
                        return n;
                    }

                    @Override
                    public int read() throws java.io.IOException {
                        int c = super.read();
                        read[0] += c < 0 ? 0 : 1;
                        return c;
                    }
                };
            }

            @Override
            public Optional<Path> unwrap(Path file) {
                throw new AssertionError("nothing may be decompressed whole while indexing");
            }
        };
        long start = System.nanoTime();
        BuildSearch.Index index = new BuildSearch(counting).index(List.of(root));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, index.candidates().size());
        try (ElfFile plain = ElfFile.open(e.binary())) {
            assertEquals(BuildIds.of(plain), index.candidates().get(0).ids());
        }
        assertTrue(read[0] < 64 * 1024, "decoded " + read[0] + " bytes");
        assertEquals(read[0], index.decompressedBytes());
        assertTrue(millis < 20_000, "indexing took " + millis + " ms");
    }
}
