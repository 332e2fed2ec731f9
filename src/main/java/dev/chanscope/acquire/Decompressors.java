package dev.chanscope.acquire;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/** Streaming decoders, one per compressed {@link Format}; none holds the whole input in memory. */
public final class Decompressors {
    /**
     * zstd's largest window (2 GiB). systemd-coredump and `zstd --long` write frames whose window
     * exceeds the decoder's default limit of 128 MiB; without this they fail to decode.
     */
    static final int ZSTD_WINDOW_LOG_MAX = 31;

    private Decompressors() {}

    /**
     * Every decoder accepts concatenated streams/members: `cat a.gz b.gz`, pigz/pzstd output and
     * multi-frame zstd are valid files whose tools decode them whole.
     */
    public static InputStream open(Format format, InputStream in) throws IOException {
        return switch (format) {
            case GZIP -> GzipCompressorInputStream.builder()
                    .setInputStream(in).setDecompressConcatenated(true).get();
            case XZ -> new XZInputStream(in);
            case ZSTD -> openZstd(in);
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case LZ4 -> new FramedLZ4CompressorInputStream(in, true);
            case TAR, ZIP, ELF, UNKNOWN -> throw new IllegalArgumentException(format + " is not a compression");
        };
    }

    private static InputStream openZstd(InputStream in) throws IOException {
        ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(in);
        try {
            return zstd.setLongMax(ZSTD_WINDOW_LOG_MAX);
        } catch (IOException | RuntimeException e) {
            zstd.close();
            throw e;
        }
    }
}
