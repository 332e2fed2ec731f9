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
        assertEquals(List.of(root.resolve("close-of-nil.xz")), unwrapped, "name order, small files left alone; stops at the match");
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
}
