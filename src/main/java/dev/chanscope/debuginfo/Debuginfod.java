package dev.chanscope.debuginfo;

import dev.chanscope.fs.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A debuginfod client (the protocol of elfutils' debuginfod: {@code GET
 * URL/buildid/HEX/debuginfo}), used only when the user asks for it. Every request has a
 * timeout and a size cap; a file is written through {@link SafeFiles} under the cache
 * directory ({@code debuginfo/HEX.debug}) and reused from there.
 *
 * @param cacheDir where fetched files are kept
 * @param timeout  for connecting and for the whole response
 * @param maxBytes the largest debug file accepted
 */
public record Debuginfod(Path cacheDir, Duration timeout, long maxBytes) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    private static final Pattern BUILD_ID = Pattern.compile("[0-9a-f]{2,128}");

    /** Why a fetch failed, in one line. */
    public static final class FetchException extends Exception {
        FetchException(String message) {
            super(message);
        }
    }

    /** The debug file of {@code buildId} from {@code server}; empty when the server does not have it (404). */
    public Optional<Path> fetch(URI server, String buildId) throws FetchException {
        if (!BUILD_ID.matcher(buildId).matches()) {
            throw new FetchException("not a build id: " + buildId);
        }
        Path dir = cacheDir.resolve("debuginfo");
        Path dest = dir.resolve(buildId + ".debug");
        if (Files.isRegularFile(dest)) {
            return Optional.of(dest);
        }
        String base = server.toString().replaceAll("/+$", "");
        URI uri = URI.create(base + "/buildid/" + buildId + "/debuginfo");
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = resp.body()) {
                if (resp.statusCode() == 404) {
                    return Optional.empty();
                }
                if (resp.statusCode() != 200) {
                    throw new FetchException("HTTP " + resp.statusCode() + " for " + uri);
                }
                long declared = resp.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared > maxBytes) {
                    throw new FetchException("the debug file is " + declared + " bytes, over the limit of " + maxBytes);
                }
                SafeFiles.createPrivateDirectories(dir);
                try (SafeFiles.Temp tmp = SafeFiles.createTempSibling(dest)) {
                    copyCapped(body, tmp.stream(), maxBytes);
                    tmp.commit(dest);
                }
                return Optional.of(dest);
            }
        } catch (java.net.http.HttpTimeoutException e) {
            throw new FetchException("no answer within " + timeout.toSeconds() + " s from " + uri);
        } catch (IOException e) {
            throw new FetchException("cannot fetch " + uri + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while fetching " + uri);
        }
    }

    private static void copyCapped(InputStream in, OutputStream out, long max) throws IOException, FetchException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > max) {
                throw new FetchException("the debug file is over the limit of " + max + " bytes");
            }
            out.write(buf, 0, n);
        }
        out.flush();
    }
}
