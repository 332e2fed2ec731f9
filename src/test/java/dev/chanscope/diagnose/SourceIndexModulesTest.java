package dev.chanscope.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -trimpath binaries record module-relative names ({@code example.com/svc/work/x.go}); with the
 * module's directory as --source-root they map by module path, and a miss says where it looked.
 */
class SourceIndexModulesTest {
    @TempDir
    Path root;

    @Test
    void aTrimpathNameMapsByItsModulePathBeforeAnySuffix() throws Exception {
        Files.createDirectories(root.resolve("svc"));
        Files.writeString(root.resolve("main.go"), "package main\n\tclose(p.results)\n");
        // A decoy the longest-suffix rule alone would pick: ROOT/svc/main.go for example.com/svc/main.go.
        Files.writeString(root.resolve("svc/main.go"), "package decoy\n\tclose(other)\n");
        SourceIndex plain = new SourceIndex(List.of(root));
        SourceIndex mapped = plain.withModules(List.of("example.com/svc", "golang.org/x/sync"));
        assertEquals(root.resolve("svc/main.go"), plain.location("example.com/svc/main.go").orElseThrow());
        assertEquals(root.resolve("main.go"), mapped.location("example.com/svc/main.go").orElseThrow());
        assertEquals("p.results", mapped.closedExpression("example.com/svc/main.go", 2).orElseThrow());
    }

    @Test
    void aMissSaysWhereChanscopeLooked() {
        SourceIndex mapped = new SourceIndex(List.of(root)).withModules(List.of("example.com/svc"));
        String file = "example.com/svc/work/pool.go";
        assertFalse(mapped.has(file));
        String why = mapped.notFound(file);
        assertTrue(why.contains(root.toString()) && why.contains("work/pool.go") && why.contains("example.com/svc"), why);
        assertTrue(SourceIndex.none().notFound(file).contains("--no-source"));
        assertTrue(new SourceIndex(List.of()).notFound(file).contains("--source-root"));
    }
}
