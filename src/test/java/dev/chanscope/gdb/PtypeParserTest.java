package dev.chanscope.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.proc.StructLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** ptype/o output recorded from gdb 13.1 on a Go 1.26.8 binary. */
class PtypeParserTest {
    private static String resource(String name) throws IOException {
        try (InputStream in = PtypeParserTest.class.getResourceAsStream("/ptype/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesHchanIncludingHolesAndNamedStructFields() throws IOException {
        StructLayout s = PtypeParser.parse(resource("go1.26-runtime.hchan.txt"));
        assertEquals("runtime.hchan", s.name());
        assertEquals(112, s.size());
        assertEquals(28, s.field("closed").orElseThrow().offset());
        assertEquals(4, s.field("closed").orElseThrow().size());
        assertEquals(2, s.field("elemsize").orElseThrow().size());
        assertEquals(80, s.field("sendq").orElseThrow().offset());
        assertEquals("runtime.waitq", s.field("sendq").orElseThrow().typeName());
        assertEquals("internal/abi.Type *", s.field("elemtype").orElseThrow().typeName());
    }

    @Test
    void flattensAnonymousNestedStructsWithDottedNames() throws IOException {
        StructLayout g = PtypeParser.parse(resource("go1.26-runtime.g.txt"));
        assertEquals(456, g.size());
        assertEquals(232, g.field("writebuf").orElseThrow().offset());
        assertEquals(240, g.field("writebuf.len").orElseThrow().offset());
        assertEquals(152, g.field("goid").orElseThrow().offset());
        assertEquals(280, g.field("parentGoid").orElseThrow().offset());
        // the field after a nested block is still top-level
        assertEquals(256, g.field("sigcode0").orElseThrow().offset());
        StructLayout md = PtypeParser.parse(resource("go1.26-runtime.moduledata.txt"));
        assertEquals(584, md.field("next").orElseThrow().offset());
        assertTrue(md.field("pluginpath.len").isPresent());
    }

    @Test
    void wrappedPointerFieldsKeepTheirStructType() throws IOException {
        StructLayout s = PtypeParser.parse(resource("go1.26-runtime.sudog.txt"));
        StructLayout.Field c = s.field("c").orElseThrow();
        assertEquals(88, c.offset());
        assertEquals(16, c.size());
        assertEquals("runtime.maybeTraceableChan", c.typeName());
    }

    @Test
    void rejectsTextThatIsNotAStruct() {
        assertThrows(IllegalArgumentException.class, () -> PtypeParser.parse("No struct type named runtime.nope."));
    }
}
