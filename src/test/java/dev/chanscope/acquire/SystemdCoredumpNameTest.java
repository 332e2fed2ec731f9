package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SystemdCoredumpNameTest {
    private static final String BOOT = "0123456789abcdef0123456789abcdef";

    @Test
    void parsesTheStoredFileName() {
        SystemdCoredumpName name = SystemdCoredumpName.parse(
                "core.server.1000." + BOOT + ".4242.1700000000123456.zst").orElseThrow();
        assertEquals(new SystemdCoredumpName("server", 1000, BOOT, 4242,
                Instant.parse("2023-11-14T22:13:20.123456Z")), name);
        assertEquals("systemd-coredump of 'server' (pid 4242, uid 1000) at 2023-11-14T22:13:20.123456Z, boot " + BOOT,
                name.describe());
    }

    @Test
    void olderCompressionsAndUncompressed() {
        for (String suffix : new String[] {".xz", ".lz4", ""}) {
            assertTrue(SystemdCoredumpName.parse("core.a.0." + BOOT + ".1.1700000000000000" + suffix).isPresent(), suffix);
        }
    }

    @Test
    void commWithDotsAndEscapes() {
        SystemdCoredumpName name = SystemdCoredumpName.parse(
                Path.of("/var/lib/systemd/coredump/core.my\\x2eapp.v2.0." + BOOT + ".7.1700000000000000.zst")).orElseThrow();
        assertEquals("my.app.v2", name.comm());
        assertEquals(0, name.uid());
        assertEquals(7, name.pid());
        SystemdCoredumpName utf8 = SystemdCoredumpName.parse(
                "core.caf\\xc3\\xa9.0." + BOOT + ".7.1700000000000000").orElseThrow();
        assertEquals("café", utf8.comm());
    }

    @Test
    void secondsTimestampsAreAccepted() {
        assertEquals(Instant.ofEpochSecond(1700000000),
                SystemdCoredumpName.parse("core.a.0." + BOOT + ".1.1700000000").orElseThrow().timestamp());
    }

    @Test
    void otherNamesDoNotMatch() {
        for (String other : new String[] {"core", "core.1234", "core.server.1000.nothex.4242.1700000000000000.zst",
                "core.server.1000." + BOOT + ".4242.1700000000000000.gz", "x.server.1000." + BOOT + ".1.2"}) {
            assertEquals(Optional.empty(), SystemdCoredumpName.parse(other), other);
        }
    }
}
