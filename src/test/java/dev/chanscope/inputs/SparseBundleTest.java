package dev.chanscope.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.testing.SampleCores;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real core made sparse and grown past 2 GiB, bundled by GNU tar in pax format with its
 * binary and a 3 GiB sparse heap dump: the bundle a support script makes with {@code tar
 * --sparse}. commons-compress failed the whole tar ("Unable to parse int from string value:
 * 3221225472"); now the core is unpacked at its real size and analyzed to the sample's verdict.
 */
class SparseBundleTest {
    @TempDir
    Path tmp;

    @Test
    void aRealCoreMadeSparseOver2GiBInAPaxTarIsAnalyzed() throws Exception {
        SampleCores.Entry e = Inputs.newest("multi-closer");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.copy(e.core(), src.resolve("core"));
        Files.copy(e.binary(), src.resolve("server"));
        Inputs.exec(src, "truncate", "-s", "3G", "core");
        Inputs.exec(src, "truncate", "-s", "3G", "heap.dump");
        Inputs.exec(src, "tar", "--sparse", "--format=pax", "-cf", "../bundle.tar", "heap.dump", "core", "server");
        assertTrue(Files.size(tmp.resolve("bundle.tar")) < Files.size(e.core()) + Files.size(e.binary()) + (1 << 20));
        Inputs.Run r = Inputs.run(tmp, "analyze", "--json", tmp.resolve("bundle.tar").toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(e.truth().pattern(), j.at("/diagnosis/pattern").asText(), r.out());
        assertEquals("tar", j.at("/input/layers/0").asText());
    }
}
