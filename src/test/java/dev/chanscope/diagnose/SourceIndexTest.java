package dev.chanscope.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceIndexTest {
    @TempDir
    Path root;

    private static final String SRC = String.join("\n",
            "package main",                                   // 1
            "",                                               // 2
            "func (w *watcher) send(ev Event) {",             // 3
            "\tselect {",                                     // 4
            "\tcase w.ch <- ev: // deliver",                  // 5
            "\tcase <-time.After(w.timeout):",                // 6
            "\t\tclose(w.ch)",                                // 7
            "\t}",                                            // 8
            "}",                                              // 9
            "",                                               // 10
            "func (c *Copier) Close() {",                     // 11
            "\tselect {",                                     // 12
            "\tcase <-c.closed:",                             // 13
            "\tdefault:",                                     // 14
            "\t\tc.flush()",                                  // 15
            "\t\tclose(c.closed)",                            // 16
            "\t}",                                            // 17
            "}",                                              // 18
            "",                                               // 19
            "func produce(out chan<- int) {",                 // 20
            "\tdefer close(out)",                             // 21
            "\tp.results[i] <- r",                            // 22
            "\tv := <-in",                                    // 23
            "}");

    private SourceIndex index() throws Exception {
        Path dir = root.resolve("svc/internal");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("w.go"), SRC);
        return new SourceIndex(List.of(root));
    }

    @Test
    void findsFilesByTheLongestPathSuffixUnderARoot() throws Exception {
        SourceIndex s = index();
        assertTrue(s.has("/build/home/ci/svc/internal/w.go"));
        assertFalse(s.has("/build/other/x.go"));
        assertEquals("\t\tclose(w.ch)", s.line("/somewhere/svc/internal/w.go", 7).orElseThrow());
    }

    @Test
    void extractsClosedAndSentExpressions() throws Exception {
        SourceIndex s = index();
        String f = "/b/svc/internal/w.go";
        assertEquals("w.ch", s.closedExpression(f, 7).orElseThrow());
        assertEquals("w.ch", s.sentExpression(f, 5).orElseThrow());
        assertEquals("out", s.closedExpression(f, 21).orElseThrow());
        assertEquals("p.results[i]", s.sentExpression(f, 22).orElseThrow());
        assertTrue(s.sentExpression(f, 23).isEmpty(), "a receive is not a send");
        assertEquals("results[i]", SourceIndex.lastName("p.results[i]"));
        assertEquals("ch", SourceIndex.lastName("w.ch"));
    }

    @Test
    void seesACloseInsideASelectThatSends() throws Exception {
        SourceIndex.SelectContext sel = index().enclosingSelect("/x/svc/internal/w.go", 7).orElseThrow();
        assertEquals(4, sel.line());
        assertEquals(List.of("w.ch"), sel.sendCases());
        assertFalse(sel.hasDefault());
        assertFalse(sel.closeInDefault());
    }

    @Test
    void seesACheckThenCloseGuard() throws Exception {
        SourceIndex.SelectContext sel = index().enclosingSelect("/x/svc/internal/w.go", 16).orElseThrow();
        assertEquals(12, sel.line());
        assertTrue(sel.hasDefault());
        assertTrue(sel.closeInDefault());
        assertEquals(List.of("c.closed"), sel.recvCases());
    }

    @Test
    void aCloseOutsideAnySelectHasNone() throws Exception {
        assertTrue(index().enclosingSelect("/x/svc/internal/w.go", 21).isEmpty());
    }
}
