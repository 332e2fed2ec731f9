package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.testing.SampleCores;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the cores under PATH arguments, by content, and splitting them into shards. */
class CorpusTest {
    @TempDir
    Path dir;

    private Set<String> keys(Corpus c) {
        return c.cores().stream().map(CorpusFile::key).collect(Collectors.toSet());
    }

    @Test
    void coresAreToldFromBinariesAndOtherFilesByContent() throws Exception {
        SampleCores.Entry e = SampleCores.get(SampleCores.goVersions().get(0), "multi-closer");
        Files.copy(e.coreXz(), dir.resolve("a.txt")); // a name that lies
        Files.copy(e.binaryXz(), dir.resolve("core.xz")); // so does this one
        Files.copy(e.core(), dir.resolve("plain-core"));
        Files.copy(e.binary(), dir.resolve("plain-binary"));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("log.gz")))) {
            out.write("just a log\n".getBytes());
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("gz-core")))) {
            Files.copy(e.core(), out);
        }
        byte[] head = new byte[10];
        try (java.io.InputStream in = Files.newInputStream(e.core())) {
            assertEquals(10, in.readNBytes(head, 0, 10));
        }
        Files.write(dir.resolve("cut-core"), head); // ELF magic, cut before e_type
        Files.write(dir.resolve("bad.xz"), new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3});
        Files.writeString(dir.resolve("notes.md"), "# notes\n");
        Corpus c = Corpus.scan(List.of(dir.toString()), Shard.ALL);
        assertEquals(Set.of("a.txt", "plain-core", "gz-core", "cut-core", "bad.xz"), keys(c),
                "cores, and files that start like one but are damaged (they get error lines)");
        assertEquals(2, c.executables());
        assertEquals(2, c.others());
        assertEquals(9, c.files());
    }

    @Test
    void directoriesAreWalkedAndGlobsExpanded() throws Exception {
        Path core = SampleCores.get(SampleCores.goVersions().get(0), "multi-closer").coreXz();
        for (String rel : List.of("x/1/core.a", "x/1/core.b", "x/2/core.c", "x/2/deep/core.d", "y/core.e")) {
            Files.createDirectories(dir.resolve(rel).getParent());
            Files.copy(core, dir.resolve(rel));
        }
        assertEquals(Set.of("1/core.a", "1/core.b", "2/core.c", "2/deep/core.d"),
                keys(Corpus.scan(List.of(dir.resolve("x").toString()), Shard.ALL)));
        assertEquals(Set.of("1/core.a", "1/core.b", "2/core.c"),
                keys(Corpus.scan(List.of(dir + "/x/*/core.*"), Shard.ALL)), "* does not cross directories");
        assertEquals(Set.of("x/1/core.a", "x/1/core.b", "x/2/core.c", "x/2/deep/core.d", "y/core.e"),
                keys(Corpus.scan(List.of(dir + "/**/core.*"), Shard.ALL)));
        assertEquals(Set.of("core.e"), keys(Corpus.scan(List.of(dir + "/y/**core.{e,f}"), Shard.ALL)));
        Corpus twice = Corpus.scan(List.of(dir.resolve("x").toString(), dir + "/x/1/core.a"), Shard.ALL);
        assertEquals(4, twice.cores().size(), "a file named twice is one input");
        ChanscopeException none = assertThrows(ChanscopeException.class,
                () -> Corpus.scan(List.of(dir + "/x/*.zst"), Shard.ALL));
        assertEquals(ExitCode.BAD_INPUT, none.exitCode());
    }

    @Test
    void shardsPartitionEveryCorpusAndDoNotDependOnWhereItIsMounted() throws Exception {
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            all.add("host-" + (i % 17) + "/core." + i + ".zst");
        }
        for (int n : new int[] {1, 2, 3, 8}) {
            Set<String> seen = new HashSet<>();
            int smallest = Integer.MAX_VALUE;
            for (int k = 1; k <= n; k++) {
                Shard s = new Shard(k, n);
                Set<String> mine = all.stream().filter(s::contains).collect(Collectors.toSet());
                smallest = Math.min(smallest, mine.size());
                for (String key : mine) {
                    assertTrue(seen.add(key), key + " is in two of " + n + " shards");
                }
            }
            assertEquals(all, seen, "every key in one of " + n + " shards");
            assertTrue(smallest > 500 / n / 2, "shards of " + n + " are uneven: smallest " + smallest);
        }
        // The same files under two mount points land in the same shards.
        Path core = SampleCores.get(SampleCores.goVersions().get(0), "multi-closer").coreXz();
        for (String root : List.of("m1", "m2/deeper")) {
            for (int i = 0; i < 6; i++) {
                Path p = dir.resolve(root).resolve("n" + i).resolve("core");
                Files.createDirectories(p.getParent());
                Files.copy(core, p);
            }
        }
        Shard s = Shard.parse("2/3");
        assertEquals(keys(Corpus.scan(List.of(dir.resolve("m1").toString()), s)),
                keys(Corpus.scan(List.of(dir.resolve("m2/deeper").toString()), s)));
    }

    @Test
    void shardSyntax() {
        assertEquals(new Shard(3, 8), Shard.parse("3/8"));
        for (String bad : List.of("0/2", "3/2", "1", "a/b", "1/0", "-1/2")) {
            assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
        }
    }
}
