package dev.chanscope.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reading a batch output back ({@code --resume}, {@code chanscope merge}). A core may have several
 * lines (a timeout retried by {@code --resume}, the same core in two outputs): the last line
 * counts, except that a timeout never replaces a line with a result.
 */
public final class JsonLinesFile {
    /** One line: where it is and what it says. */
    public record Line(Path file, long number, CoreOutcome outcome) {
        /** Lines are the same core when their content hashes are; lines without one, when their paths are. */
        public String key() {
            return outcome.sha256().orElse("path:" + outcome.core());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLinesFile() {
    }

    /**
     * Removes a cut-off last line (the batch was killed while writing it).
     *
     * @return the bytes removed
     */
    public static long repairTail(Path file) throws IOException {
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            long len = f.size();
            long end = len;
            byte[] chunk = new byte[64 * 1024];
            scan:
            while (end > 0) {
                int n = (int) Math.min(chunk.length, end);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(chunk, 0, n);
                long at = end - n;
                while (b.hasRemaining()) {
                    int r = f.read(b, at + b.position());
                    if (r < 0) {
                        throw new java.io.EOFException(file + " shrank while it was read");
                    }
                }
                for (int i = n - 1; i >= 0; i--) {
                    if (chunk[i] == '\n') {
                        end = end - n + i + 1;
                        break scan;
                    }
                }
                end -= n;
            }
            if (end < len) {
                f.truncate(end);
            }
            return len - end;
        }
    }

    /**
     * The line that counts for each core of the files, in the order the cores first appear.
     *
     * @throws ChanscopeException BAD_INPUT for an unreadable file or a line that is not a batch line
     */
    public static Map<String, Line> latest(Iterable<Path> files) {
        Map<String, Line> byKey = new LinkedHashMap<>();
        for (Path file : files) {
            read(file, line -> byKey.merge(line.key(), line, (old, neu) ->
                    neu.outcome().status() == Status.TIMEOUT && old.outcome().status() != Status.TIMEOUT ? old : neu));
        }
        return byKey;
    }

    /** Calls {@code visitor} for each line of {@code file}; blank lines are skipped. */
    public static void read(Path file, java.util.function.Consumer<Line> visitor) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            long n = 0;
            while ((text = r.readLine()) != null) {
                n++;
                if (text.isBlank()) {
                    continue;
                }
                visitor.accept(new Line(file, n, parse(file, n, text)));
            }
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Copies the given lines of {@code file} (by number) to {@code out}, in file order. */
    public static void copyLines(Path file, java.util.Set<Long> numbers, JsonLinesWriter out) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            long n = 0;
            while ((text = r.readLine()) != null) {
                if (numbers.contains(++n)) {
                    out.write(text);
                }
            }
        } catch (IOException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static CoreOutcome parse(Path file, long n, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return CoreOutcome.of(node);
        } catch (JsonProcessingException e) {
            throw notOurs(file, n, "not JSON (" + e.getOriginalMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw notOurs(file, n, e.getMessage());
        }
    }

    private static ChanscopeException notOurs(Path file, long n, String why) {
        return new ChanscopeException(ExitCode.BAD_INPUT, file + " line " + n + " is not a chanscope batch line: " + why);
    }
}
