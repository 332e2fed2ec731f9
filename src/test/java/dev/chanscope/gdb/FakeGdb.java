package dev.chanscope.gdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Shell scripts that play gdb badly, for the failure paths real gdb will not take on demand. */
final class FakeGdb {
    private FakeGdb() {
    }

    /**
     * Speaks just enough MI: answers {@code -gdb-version} with {@code banner}, {@code -gdb-exit}
     * with {@code ^exit}, and anything else with {@code <token><answer>} ({@code ^done} when
     * {@code answer} is null). {@code answer} is inserted into a printf format string.
     */
    static Path write(Path dir, String banner, String answer) throws IOException {
        String reply = answer == null ? "^done" : answer;
        return script(dir, "fake-gdb", """
                #!/bin/sh
                printf '(gdb) \\n'
                while IFS= read -r line; do
                  token=${line%%%%[!0-9]*}
                  case "$line" in
                    *-gdb-version*) printf '~"%s\\\\n"\\n%%s^done\\n(gdb) \\n' "$token" ;;
                    *-gdb-exit*) printf '%%s^exit\\n' "$token"; exit 0 ;;
                    *) printf "%%s%s\\n(gdb) \\n" "$token" ;;
                  esac
                done
                """.formatted(banner, reply));
    }

    /** Like a gdb older than 9: prints {@code versionLine} for --version, rejects MI3 and exits 1. */
    static Path writeWithoutMi3(Path dir, String versionLine) throws IOException {
        return script(dir, "old-gdb", """
                #!/bin/sh
                if [ "$1" = "--version" ]; then
                  echo '%s'
                  echo 'Copyright (C) 2018 Free Software Foundation, Inc.'
                  exit 0
                fi
                echo "Interpreter \\`mi3' unrecognized" >&2
                exit 1
                """.formatted(versionLine));
    }

    private static Path script(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
