package dev.chanscope.elf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chanscope.ChanscopeException;
import dev.chanscope.proc.MemoryAccessException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the ELF and note readers (Jazzer). In {@code mvn test} each target
 * runs its seed corpus only (src/test/resources/dev/chanscope/elf/ElfFuzzTestInputs/: the
 * headers and notes of sample cores, made by scripts/fuzz-seeds); {@code scripts/fuzz} fuzzes
 * them for a time budget. A reader may refuse its input only with ChanscopeException (a clean
 * message and exit code); anything else escaping is a finding.
 */
class ElfFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("chanscope-fuzz", ".elf");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A whole file: headers, segments, sections, notes (threads, mappings), symbols, build ids; and ElfPrefix. */
    @FuzzTest(maxDuration = "30s")
    void elfFile(byte[] data) throws IOException {
        // the build ids of --binary-search's compressed candidates, read from a stream
        ElfPrefix.read(new java.io.ByteArrayInputStream(data));
        Files.write(FILE, data);
        try (ElfFile f = ElfFile.open(FILE)) {
            f.segments();
            f.sections();
            for (ElfFile.Segment s : f.segments()) {
                f.readVirtual(s.vaddr(), 16);
            }
            f.notes();
            f.threads();
            f.mappedFiles();
            f.commandLine();
            f.processName();
            f.auxv(6);
            f.symbols();
            f.gnuBuildId();
            f.goBuildId();
            if (f.type() == ElfFile.ET_CORE) {
                CoreBuildIds.read(f);
            } else {
                BuildIds.of(f);
            }
        } catch (ChanscopeException e) {
            // a clean refusal
        }
    }

    /** One note's descriptor, as each core note parser gets it. */
    @FuzzTest(maxDuration = "30s")
    void coreNotes(byte[] desc) {
        ElfCoreNotes.mappedFiles(desc);
        ElfCoreNotes.fname(desc);
        ElfCoreNotes.psargs(desc);
        try {
            ElfCoreNotes.prstatus(desc, 62);
        } catch (ChanscopeException | MemoryAccessException e) {
            // a clean refusal
        }
    }
}
