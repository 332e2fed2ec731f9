package dev.chanscope.acquire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The facts systemd-coredump encodes in the name of a stored core,
 * {@code core.COMM.UID.BOOTID.PID.TIMESTAMP[.zst|.xz|.lz4]}, for display only: the content is
 * recognised by its magic bytes like any other input.
 *
 * @param comm       the process name (systemd's \xNN escapes undone)
 * @param uid        the user it ran as
 * @param bootId     the boot it crashed in, 32 hex digits (as in {@code journalctl --list-boots})
 * @param pid        its process id
 * @param timestamp  when it crashed
 */
public record SystemdCoredumpName(String comm, long uid, String bootId, long pid, Instant timestamp) {
    // COMM may itself contain dots, so the fixed-shape fields are matched from the right.
    private static final Pattern NAME = Pattern.compile(
            "core\\.(.+)\\.(\\d{1,10})\\.([0-9a-f]{32})\\.(\\d{1,10})\\.(\\d{1,20})(?:\\.(?:zst|xz|lz4))?");
    private static final Pattern ESCAPE = Pattern.compile("\\\\x([0-9a-fA-F]{2})");
    /** Timestamps are microseconds since the epoch; anything below this is taken as seconds. */
    private static final long MICROS_THRESHOLD = 100_000_000_000L;

    public static Optional<SystemdCoredumpName> parse(Path file) {
        Path name = file.getFileName();
        return name == null ? Optional.empty() : parse(name.toString());
    }

    public static Optional<SystemdCoredumpName> parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long stamp = Long.parseLong(m.group(5));
            Instant when = stamp >= MICROS_THRESHOLD
                    ? Instant.ofEpochSecond(stamp / 1_000_000, stamp % 1_000_000 * 1_000)
                    : Instant.ofEpochSecond(stamp);
            return Optional.of(new SystemdCoredumpName(unescape(m.group(1)), Long.parseLong(m.group(2)),
                    m.group(3), Long.parseLong(m.group(4)), when));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    /** One line for the user: "systemd-coredump of 'server' (pid 4242, uid 1000) at 2024-…, boot 3f…". */
    public String describe() {
        return "systemd-coredump of '" + comm + "' (pid " + pid + ", uid " + uid + ") at " + timestamp
                + ", boot " + bootId;
    }

    /** systemd escapes unusual bytes of the name as \xNN; they may form UTF-8 sequences. */
    private static String unescape(String escaped) {
        Matcher m = ESCAPE.matcher(escaped);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int last = 0;
        while (m.find()) {
            bytes.writeBytes(escaped.substring(last, m.start()).getBytes(StandardCharsets.UTF_8));
            bytes.write(Integer.parseInt(m.group(1), 16));
            last = m.end();
        }
        bytes.writeBytes(escaped.substring(last).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
