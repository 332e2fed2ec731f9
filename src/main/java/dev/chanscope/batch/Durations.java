package dev.chanscope.batch;

import java.time.Duration;

/** Durations as people write them on a command line: {@code 5m}, {@code 90s}, {@code 1h30m}, {@code 250ms}. */
public final class Durations {
    private Durations() {
    }

    /** "5m", "90s", "250ms", "1h30m" */
    public static String describe(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        StringBuilder b = new StringBuilder();
        if (d.toHours() > 0) {
            b.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            b.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || b.length() == 0) {
            b.append(d.toSecondsPart()).append('s');
        }
        return b.toString();
    }

    /** "5m", "30s", "250ms", "2h", "1h30m", or a bare number of seconds. */
    public static Duration parse(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.matches("\\d+")) {
            return positive(Duration.ofSeconds(Long.parseLong(t)), text);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|h|m|s)").matcher(t);
        Duration d = Duration.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        if (at != t.length() || t.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use e.g. 5m, 90s, 1h30m or 500ms");
        }
        return positive(d, text);
    }

    private static Duration positive(Duration d, String text) {
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + text + "': the timeout must be more than 0");
        }
        return d;
    }
}
