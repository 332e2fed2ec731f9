package dev.chanscope.goruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Go releases chanscope reads, and the one-line refusal outside them. */
class GoVersionWindowTest {
    @Test
    void releasesInsideTheWindowAreRead() {
        for (String v : new String[] {"go1.18.10", "go1.19.13", "go1.22.12", "go1.26.8", "go1.27.4", "go1.27rc1"}) {
            assertEquals(Optional.empty(), GoRuntime.unsupported(v), v);
        }
    }

    @Test
    void releasesOutsideAreRefusedNamingTheRange() {
        for (String v : new String[] {"go1.17.13", "go1.16", "go1.28.0", "devel go1.28-4b3a2c1 Mon Jan 1 2027"}) {
            String why = GoRuntime.unsupported(v).orElseThrow(() -> new AssertionError(v + " accepted"));
            assertTrue(why.contains("Go 1.18 to 1.27") && why.contains(v.strip()) && !why.contains("\n"), why);
        }
    }

    @Test
    void aVersionWithoutAReleaseNumberIsReadAsItIs() {
        assertEquals(Optional.empty(), GoRuntime.unsupported("devel +abcdef"));
    }
}
