package dev.chanscope.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A line read back from its temporary file comes in pieces that each decode on their own. */
class LineBytesTest {
    @Test
    void piecesOfASpilledLineNeverCutACharacter(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 5_000_000) {
            sb.append("\"ünïcødé ☃ 𝄞\"").append("é".repeat(1_000_003 % 97)); // long runs with no ASCII
        }
        sb.append("é".repeat(3 << 20)).append('\n'); // 6 MB with no ASCII byte at all
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("line");
        Files.write(f, bytes);
        List<String> pieces = new ArrayList<>();
        new LineBytes.Spilled(f, bytes.length).writeTo(b -> {
            try {
                pieces.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString());
            } catch (CharacterCodingException e) {
                throw new AssertionError("piece " + pieces.size() + " cut a character", e);
            }
        });
        assertTrue(pieces.size() > 2, pieces.size() + " pieces");
        assertEquals(sb.toString(), String.join("", pieces));
    }
}
