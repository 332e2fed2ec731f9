package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Streams data into a new file, leaving holes where whole blocks are zero: cores are mostly
 * untouched zero pages, and a sparse copy costs a fraction of the disk.
 */
final class SparseCopier {
    private static final int BLOCK = 1 << 16;

    private final byte[] buffer = new byte[BLOCK];
    private final byte[] zeros = new byte[BLOCK];

    /**
     * @param cap      the most bytes the file may get; one more fails with {@code overCap}
     * @return the number of bytes written
     */
    long copy(InputStream in, Path target, long cap, Supplier<InputFault> overCap) throws IOException {
        long total = 0;
        boolean endsInHole = false;
        try (FileChannel out = open(target)) {
            while (true) {
                // readNBytes fills whole blocks, so a short block means the end of the data.
                int n = in.readNBytes(buffer, 0, BLOCK);
                if (n == 0) {
                    break;
                }
                total += n;
                if (total > cap) {
                    throw overCap.get();
                }
                if (Arrays.mismatch(buffer, 0, n, zeros, 0, n) == -1) {
                    endsInHole = true;
                } else {
                    write(out, target, total - n, n);
                    endsInHole = false;
                }
                if (n < BLOCK) {
                    break;
                }
            }
            if (endsInHole) {
                // A file ending in a hole needs its last byte written to get its full length.
                buffer[0] = 0;
                write(out, target, total - 1, 1);
            }
        }
        return total;
    }

    private static FileChannel open(Path target) throws InputFault {
        try {
            return dev.chanscope.fs.SafeFiles.createNew(target);
        } catch (IOException e) {
            throw InputFault.cacheWrite(target, e);
        }
    }

    private void write(FileChannel out, Path target, long position, int length) throws InputFault {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
        try {
            long at = position;
            while (bytes.hasRemaining()) {
                at += out.write(bytes, at);
            }
        } catch (IOException e) {
            throw InputFault.cacheWrite(target, e);
        }
    }
}
