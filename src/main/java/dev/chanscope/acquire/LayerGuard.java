package dev.chanscope.acquire;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BooleanSupplier;

/**
 * Wraps one decoding layer (a decompressor, or a bundle's member data) and turns whatever it
 * throws into an {@link InputFault} that names the layer and says whether its input simply
 * ended (truncated) or was garbled (corrupt). Faults from deeper layers pass through as they
 * are, so the innermost guard — the layer that actually broke — names the culprit.
 */
final class LayerGuard extends FilterInputStream {
    /** How one layer describes its failures. */
    record Blame(Origin origin, Format layer, BooleanSupplier inputEnded, String truncatedHint) {
        InputFault endsEarly() {
            return new InputFault(origin.prefix() + "the " + layer.noun() + " ends early: " + truncatedHint,
                    InputFault.Kind.TRUNCATED, origin.memberPath());
        }

        InputFault translate(Exception e) {
            if (e instanceof InputFault fault) {
                return fault;
            }
            if (inputEnded.getAsBoolean()) {
                return endsEarly();
            }
            return new InputFault(origin.prefix() + "the " + layer.noun() + " is corrupt ("
                    + InputFault.oneLine(e) + ")", InputFault.Kind.CORRUPT, origin.memberPath());
        }
    }

    /** An action on a decoder that may throw (opening it, fetching the next entry). */
    interface Action<T> {
        T run() throws IOException;
    }

    private final Blame blame;

    LayerGuard(InputStream in, Blame blame) {
        super(in);
        this.blame = blame;
    }

    /** Runs something outside a read (a decoder's constructor reads the header) under the same blame. */
    static <T> T guarded(Blame blame, Action<T> action) throws InputFault {
        try {
            return action.run();
        } catch (IOException | RuntimeException e) {
            throw blame.translate(e);
        }
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException | RuntimeException e) {
            throw blame.translate(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            throw blame.translate(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException | RuntimeException e) {
            throw blame.translate(e);
        }
    }

    @Override
    public int available() throws IOException {
        try {
            return super.available();
        } catch (IOException | RuntimeException e) {
            throw blame.translate(e);
        }
    }
}
