package dev.chanscope.acquire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.acquire.TestFiles.Codec;
import dev.chanscope.acquire.TestFiles.TarItem;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FormatTest {

    private static Format detect(byte[] data) {
        byte[] head = TestFiles.head(data, Format.HEAD_BYTES);
        return Format.detect(head, head.length);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void recognisesEachCompressionByItsMagic(Codec codec) {
        Format expected = Format.valueOf(codec.name());
        assertEquals(expected, detect(TestFiles.compress(codec, "hello".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(Format.Kind.COMPRESSED, expected.kind());
    }

    @Test
    void recognisesBundlesAndElf() {
        assertEquals(Format.TAR, detect(TestFiles.tar(TarItem.file("a", new byte[10]))));
        assertEquals(Format.ZIP, detect(TestFiles.zip("a", new byte[10])));
        assertEquals(Format.ELF, detect(TestFiles.core()));
    }

    @Test
    void recognisesOldGnuTarMagic() {
        byte[] header = new byte[512];
        byte[] magic = "ustar  \0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, header, 257, magic.length);
        assertEquals(Format.TAR, detect(header));
    }

    @Test
    void emptyZipIsStillAZip() {
        assertEquals(Format.ZIP, detect(TestFiles.zip()));
    }

    @Test
    void anythingElseIsUnknown() {
        assertEquals(Format.UNKNOWN, detect("just some text\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Format.UNKNOWN, detect(new byte[0]));
        assertEquals(Format.UNKNOWN, detect(new byte[] {0x1f}));
        assertEquals(Format.UNKNOWN, detect("BZh0".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Format.UNKNOWN, detect(new byte[300]));
    }

    @Test
    void readsElfTypeInEitherByteOrder() {
        byte[] little = TestFiles.head(TestFiles.core(), 64);
        assertEquals(Optional.of(new ElfHeader(ElfHeader.ET_CORE)), ElfHeader.parse(little, 64));
        byte[] big = little.clone();
        big[5] = 2;
        big[16] = 0;
        big[17] = 2;
        ElfHeader header = ElfHeader.parse(big, 64).orElseThrow();
        assertEquals(ElfHeader.ET_EXEC, header.type());
        assertTrue(header.isProgram());
        assertFalse(header.isCore());
    }

    @Test
    void shortOrForeignHeadersHaveNoElfType() {
        byte[] core = TestFiles.core();
        assertEquals(Optional.empty(), ElfHeader.parse(core, 17));
        byte[] badData = TestFiles.head(core, 64);
        badData[5] = 7;
        assertEquals(Optional.empty(), ElfHeader.parse(badData, 64));
        assertEquals(Optional.empty(), ElfHeader.parse(new byte[64], 64));
    }
}
