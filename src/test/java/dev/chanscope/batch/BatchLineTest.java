package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A line whose goroutine list is written into it on demand reads as if the list had been in the tree. */
class BatchLineTest {
    private static final ObjectMapper M = new ObjectMapper();

    private static ObjectNode head(boolean withCount) throws Exception {
        ObjectNode r = (ObjectNode) M.readTree("""
                {"schemaVersion":1,"tool":"t","input":{"core":"c","binary":"b","layers":[]},"partial":false,
                 "panic":{"message":"send on closed channel\\nsecond line"},"channel":null,
                 "diagnosis":{"pattern":"multi-closer","confidence":0.9}}""");
        if (withCount) {
            r.put("goroutineCount", 2);
        }
        r.putArray("panicking");
        r.putArray("warnings");
        return r;
    }

    private static final CoreReport.ListWriter TWO = g -> {
        g.writeArrayFieldStart("goroutines");
        g.writeStartObject();
        g.writeNumberField("id", 1);
        g.writeStringField("state", "chan send\n");
        g.writeEndObject();
        g.writeStartObject();
        g.writeNumberField("id", 2);
        g.writeEndObject();
        g.writeEndArray();
    };

    @Test
    void theStreamedListSitsAfterGoroutineCountAndTheLineIsOneLine() throws Exception {
        ObjectNode tree = head(true);
        BatchLine streamed = BatchLine.analyzed(new CoreReport(tree, Optional.of(TWO)), "ab", 7);

        ObjectNode whole = head(true);
        ObjectNode rebuilt = M.createObjectNode();
        whole.properties().forEach(e -> {
            rebuilt.set(e.getKey(), e.getValue());
            if (e.getKey().equals("goroutineCount")) {
                rebuilt.set("goroutines", M.valueToTree(java.util.List.of(
                        java.util.Map.of("id", 1, "state", "chan send\n"), java.util.Map.of("id", 2))));
            }
        });
        BatchLine fromTree = BatchLine.analyzed(CoreReport.of(rebuilt), "ab", 7);

        assertEquals(M.readTree(fromTree.json()), M.readTree(streamed.json()));
        String text = streamed.json() + "\n";
        assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, text);
        assertTrue(text.indexOf("\"goroutineCount\":2,\"goroutines\":[") > 0, text);
        assertTrue(text.indexOf("\"goroutines\"") < text.indexOf("\"panicking\""), text);
        assertEquals("multi-closer", streamed.outcome().signature().orElseThrow().pattern());
        assertEquals(0.9, streamed.outcome().confidence().getAsDouble());
    }

    @Test
    void aLineAboveTheLimitIsMadeInAPrivateTemporaryFileAndDeletedOnceWritten() throws Exception {
        BatchLine small = BatchLine.analyzed(new CoreReport(head(true), Optional.of(TWO)), "ab", 7);
        BatchLine big = BatchLine.analyzed(new CoreReport(head(true), Optional.of(TWO)), "ab", 7, 64);
        assertTrue(small.bytes() instanceof LineBytes.InMemory);
        LineBytes.Spilled spilled = assertInstanceOf(LineBytes.Spilled.class, big.bytes());
        assertTrue(java.nio.file.Files.exists(spilled.file()));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(spilled.file())));
        assertEquals(small.bytes().size(), spilled.size());
        assertEquals(small.json(), big.json());

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        JsonLinesWriter w = new JsonLinesWriter(b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()));
        w.write(big.bytes());
        w.close();
        assertEquals(small.json() + "\n", out.toString(StandardCharsets.UTF_8));
        assertFalse(java.nio.file.Files.exists(spilled.file()), "the temporary file is deleted once written");
    }

    @Test
    void withoutGoroutineCountTheListGoesLast() throws Exception {
        BatchLine l = BatchLine.analyzed(new CoreReport(head(false), Optional.of(TWO)), "ab", 7);
        assertTrue(l.json().endsWith("\"warnings\":[],\"goroutines\":[{\"id\":1,\"state\":\"chan send\\n\"},{\"id\":2}]}"),
                l.json());
    }
}
