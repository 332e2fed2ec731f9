package dev.chanscope.batch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Tells a crash log (text holding a Go traceback, {@code chanscope log}) among the cores of a
 * batch: text in its first bytes, and a goroutine header ({@code goroutine N [state]:}, or the
 * 1.22+ {@code goroutine N gp=0x...}) somewhere in its first {@link #SCAN_BYTES} bytes.
 */
public final class LogFiles {
    /** How far a text file is searched for a traceback. */
    static final long SCAN_BYTES = 64L << 20;

    private static final Pattern HEADER = Pattern.compile("goroutine \\d+ (?:gp=0x[0-9a-f]+ |\\[)");

    private LogFiles() {
    }

    /** Text: no NUL byte and no other control byte than tab, CR, LF, ESC in the first bytes. */
    static boolean looksLikeText(byte[] head) {
        if (head.length == 0) {
            return false;
        }
        for (byte b : head) {
            int c = b & 0xff;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1b) {
                return false;
            }
        }
        return true;
    }

    /** A text file with a Go traceback: what {@code batch} runs through {@code chanscope log}. */
    public static boolean isLog(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(512);
            if (!looksLikeText(head)) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.ISO_8859_1))) {
            long read = 0;
            String line;
            while ((line = r.readLine()) != null && read < SCAN_BYTES) {
                read += line.length() + 1;
                if (HEADER.matcher(line).find()) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
