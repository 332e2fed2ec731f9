package dev.chanscope.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GdbVersionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GNU gdb (Debian 13.1-3) 13.1                              | 13 | 1",
        "GNU gdb (Ubuntu 12.1-0ubuntu1~22.04.2) 12.1               | 12 | 1",
        "GNU gdb (GDB) Fedora Linux 14.1-1.fc39                    | 14 | 1",
        "GNU gdb (GDB) Red Hat Enterprise Linux 8.2-19.el8         | 8  | 2",
        "GNU gdb (GDB) 15.0.50.20240403-git                        | 15 | 0",
        "GNU gdb 8.1                                               | 8  | 1",
        "GNU gdb (GDB; SUSE Linux Enterprise 15) 13.2              | 13 | 2",
    })
    void parsesDistributionBanners(String line, int major, int minor) {
        GdbVersion v = GdbVersion.parse(line).orElseThrow();
        assertEquals(major, v.major());
        assertEquals(minor, v.minor());
        assertEquals(line.strip(), v.text());
        assertEquals(major + "." + minor, v.number());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lldb-1500.0.200.58", "GNU gdb (no number)", "Interpreter `mi3' unrecognized"})
    void rejectsLinesWithoutAGdbVersion(String line) {
        assertEquals(Optional.empty(), GdbVersion.parse(line));
    }

    @org.junit.jupiter.api.Test
    void comparesVersions() {
        assertTrue(new GdbVersion(13, 1, "").atLeast(12, 1));
        assertTrue(new GdbVersion(12, 1, "").atLeast(12, 1));
        assertFalse(new GdbVersion(12, 0, "").atLeast(12, 1));
        assertFalse(new GdbVersion(8, 1, "").atLeast(12, 1));
    }
}
