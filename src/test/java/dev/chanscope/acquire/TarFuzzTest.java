package dev.chanscope.acquire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Coverage-guided fuzzing (Jazzer) of chanscope's own tar reader. Seeds
 * (src/test/resources/dev/chanscope/acquire/TarFuzzTestInputs/tar/) are tars made by GNU tar 1.34:
 * pax with sparse 0.0, 0.1 and 1.0 members of 3 GiB, old GNU with a 9 GiB sparse member, a GNU
 * long name, plain ustar. The reader may refuse its input only with an IOException (the
 * extraction makes it "the tar archive is corrupt (…)" or "ends early"); anything else escaping
 * is a finding. {@code scripts/fuzz 2m TarFuzzTest#tar} fuzzes it.
 */
class TarFuzzTest {
    /** Every member, and the first MiB of each one's data (a sparse member may expand to terabytes). */
    @FuzzTest(maxDuration = "30s")
    void tar(byte[] data) {
        TarReader reader = new TarReader(new ByteArrayInputStream(data));
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int members = 0; members < 10_000; members++) {
                TarReader.Entry e = reader.next();
                if (e == null) {
                    return;
                }
                Member.of(e);
                InputStream in = reader.data();
                long left = 1 << 20;
                int n;
                while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                    left -= n;
                }
            }
        } catch (IOException e) {
            // a clean refusal: corrupt or truncated
        }
    }
}
