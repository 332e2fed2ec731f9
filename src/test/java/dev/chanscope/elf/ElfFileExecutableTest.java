package dev.chanscope.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.proc.Memory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tukaani.xz.XZInputStream;

/**
 * ElfFile on the Go binaries in src/test/resources/elf (see its README). Expected values are
 * from readelf -SW / -lW / -sW / -n and go tool buildid, kept in inlines-recorded.txt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ElfFileExecutableTest {

    /** What readelf and the go tool say about one binary. */
    record Expected(String resource, long entry, int sectionCount, int symbolCount, String goBuildId, Optional<String> gnuBuildId,
                    List<ElfFile.Segment> loads, long gopclntab, long bssAddr, long bssSize,
                    long closer, long firstmoduledata, long gofunc, List<String> noteOwners) {
        @Override
        public String toString() {
            return resource;
        }
    }

    private static final Expected GO126 = new Expected("inlines-go126.xz", 0x47a180, 26, 2096,
            "30cwak9SZBiKKW4XWav3/XzZ_ioTq-Bd_8PX7AUHr/82wxtrbUuz1s5EdmgM14/RXOrdzwwPhaNkb05S505",
            Optional.of("a31be54bd572f8aa43466c0afa37460d5c051a4b"),
            List.of(new ElfFile.Segment(ElfFile.PT_LOAD, 5, 0x0, 0x400000, 0x7c331, 0x7c331),
                    new ElfFile.Segment(ElfFile.PT_LOAD, 4, 0x7d000, 0x47d000, 0xa2808, 0xa2808),
                    new ElfFile.Segment(ElfFile.PT_LOAD, 6, 0x120000, 0x520000, 0x7380, 0x3cae0)),
            0x49ea88, 0x527380, 0x20218, 0x47bfc0, 0x520340, 0x503fb8, List.of("Go", "GNU"));

    private static final Expected GO122 = new Expected("inlines-go122.xz", 0x45cf20, 23, 1483,
            "lsZaIxKGWoRiKKhrrjEa/TyuNpQZkrcH_WTr_UR3r/01CRbD2eC4rwq5mJDxV6/3HGnHZIWXKC6-IVY98CP",
            Optional.empty(),
            List.of(new ElfFile.Segment(ElfFile.PT_LOAD, 5, 0x0, 0x400000, 0x5ec33, 0x5ec33),
                    new ElfFile.Segment(ElfFile.PT_LOAD, 4, 0x5f000, 0x45f000, 0x776d8, 0x776d8),
                    new ElfFile.Segment(ElfFile.PT_LOAD, 6, 0xd7000, 0x4d7000, 0x3c20, 0x66f60)),
            0x48ad00, 0x4dac20, 0x5f950, 0x45e8c0, 0x4d7820, 0x474b40, List.of("Go"));

    private Path dir;
    private final Map<String, ElfFile> files = new HashMap<>();

    @BeforeAll
    void unpack() throws IOException {
        dir = Files.createTempDirectory("elf-exe-test");
    }

    @AfterAll
    void cleanUp() throws IOException {
        files.values().forEach(ElfFile::close);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    static Stream<Expected> binaries() {
        return Stream.of(GO126, GO122);
    }

    private ElfFile open(Expected e) {
        return files.computeIfAbsent(e.resource(), r -> ElfFile.open(unxz(r, dir)));
    }

    /** Decompresses a test resource from src/test/resources/elf into {@code dir}. */
    static Path unxz(String resource, Path dir) {
        Path out = dir.resolve(resource.replace(".xz", ""));
        try (InputStream raw = ElfFileExecutableTest.class.getResourceAsStream("/elf/" + resource)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource /elf/" + resource);
            }
            try (InputStream in = new XZInputStream(raw)) {
                Files.copy(in, out);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void header(Expected e) {
        ElfFile f = open(e);
        assertEquals(ElfFile.ET_EXEC, f.type());
        assertEquals(ElfFile.EM_X86_64, f.machine());
        // readelf -h: the entry point is _rt0_amd64_linux.
        assertEquals(f.symbolAddress("_rt0_amd64_linux").orElseThrow(), f.entry());
        assertEquals(e.entry(), f.entry());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void segments(Expected e) {
        ElfFile f = open(e);
        List<ElfFile.Segment> loads = f.segments().stream().filter(s -> s.type() == ElfFile.PT_LOAD).toList();
        assertEquals(e.loads(), loads);
        assertEquals(1, f.segments().stream().filter(s -> s.type() == ElfFile.PT_NOTE).count());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void sections(Expected e) {
        ElfFile f = open(e);
        assertEquals(e.sectionCount(), f.sections().size());
        assertEquals("", f.sections().get(0).name());
        ElfFile.Section text = f.section(".text").orElseThrow();
        assertEquals(0x401000, text.addr());
        assertEquals(0x1000, text.offset());
        assertEquals(e.gopclntab(), f.section(".gopclntab").orElseThrow().addr());
        ElfFile.Section bss = f.section(".bss").orElseThrow();
        assertEquals(ElfFile.SHT_NOBITS, bss.type());
        assertEquals(e.bssAddr(), bss.addr());
        assertEquals(e.bssSize(), bss.size());
        assertEquals(ElfFile.SHT_NOTE, f.section(".note.go.buildid").orElseThrow().type());
        assertTrue(f.section(".no.such.section").isEmpty());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void symbols(Expected e) {
        ElfFile f = open(e);
        assertEquals(e.symbolCount(), f.symbols().size());
        assertEquals(OptionalLong.of(0x401000), f.symbolAddress("runtime.text"));
        assertEquals(OptionalLong.of(e.closer()), f.symbolAddress("main.closer"));
        assertEquals(OptionalLong.of(e.gofunc()), f.symbolAddress("go:func.*"));
        ElfFile.Symbol md = f.symbol("runtime.firstmoduledata").orElseThrow();
        assertEquals(e.firstmoduledata(), md.value());
        assertEquals(592, md.size());
        assertEquals(ElfFile.STT_OBJECT, md.type());
        ElfFile.Symbol closer = f.symbol("main.closer").orElseThrow();
        assertEquals(48, closer.size());
        assertEquals(ElfFile.STT_FUNC, closer.type());
        // Assembly functions carry their ABI in the ELF name, not in the pclntab name.
        assertTrue(f.symbolAddress("runtime.goexit.abi0").isPresent());
        assertTrue(f.symbolAddress("runtime.no.such.function").isEmpty());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void buildIdsAndNotes(Expected e) {
        ElfFile f = open(e);
        assertEquals(Optional.of(e.goBuildId()), f.goBuildId());
        assertEquals(e.gnuBuildId(), f.gnuBuildId());
        // The PT_NOTE segment spans the note sections: each note is listed once.
        assertEquals(e.noteOwners(), f.notes().stream().map(ElfFile.Note::name).toList());
        assertEquals(ElfFile.NT_GO_BUILD_ID, f.notes().get(0).type());
        assertTrue(f.threads().isEmpty());
        assertTrue(f.mappedFiles().isEmpty());
        assertTrue(f.commandLine().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void readVirtual(Expected e) {
        ElfFile f = open(e);
        // The pclntab header: magic 0xfffffff1 (Go 1.20+), pads 0, minLC 1, ptrSize 8.
        byte[] header = f.readVirtual(e.gopclntab(), 8).orElseThrow();
        assertArrayEquals(new byte[] {(byte) 0xf1, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 1, 8}, header);
        // Text through the segment equals the same bytes read at the file offset.
        assertArrayEquals(f.readAt(0x1000, 64), f.readVirtual(0x401000, 64).orElseThrow());
        // .bss is past filesz: zeros in an executable.
        assertArrayEquals(new byte[32], f.readVirtual(e.bssAddr() + 64, 32).orElseThrow());
        ElfFile.Segment text = e.loads().get(0);
        long textEnd = text.vaddr() + text.memsz();
        assertTrue(f.readVirtual(textEnd - 4, 4).isPresent());
        assertTrue(f.readVirtual(textEnd - 4, 8).isEmpty(), "a range running into the gap after text");
        assertTrue(f.readVirtual(0, 8).isEmpty());
        assertTrue(f.readVirtual(0xffffffffff600000L, 8).isEmpty());
        byte[] word = new byte[8];
        assertTrue(f.readVirtual(e.gopclntab(), word, 0, 8));
        assertFalse(f.readVirtual(0x10, word, 0, 8));
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void virtualMemory(Expected e) {
        Memory m = new ElfVirtualMemory(open(e));
        assertEquals(0xfffffff1L, m.u32(e.gopclntab()));
        // moduledata.pcHeader (offset 0) points at the pclntab header.
        assertEquals(e.gopclntab(), m.u64(e.firstmoduledata()));
        assertFalse(m.isReadable(0x1000, 8));
        assertTrue(m.isReadable(e.firstmoduledata(), 592));
    }
}
