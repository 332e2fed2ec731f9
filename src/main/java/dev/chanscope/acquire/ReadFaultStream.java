package dev.chanscope.acquire;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Marks failures to read the input file itself (EIO on a flaky disk, a file yanked from NFS),
 * so they are not blamed on the decoder above, which would call the data corrupt.
 */
final class ReadFaultStream extends FilterInputStream {
    ReadFaultStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw fault(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException e) {
            throw fault(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException e) {
            throw fault(e);
        }
    }

    private static InputFault fault(IOException e) {
        return e instanceof InputFault f ? f : new InputFault("cannot be read (" + InputFault.oneLine(e) + ")");
    }
}
