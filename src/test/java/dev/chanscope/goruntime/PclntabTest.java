package dev.chanscope.goruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.ElfVirtualMemory;
import dev.chanscope.goruntime.Pclntab.FuncInfo;
import dev.chanscope.goruntime.Pclntab.SourceFrame;
import dev.chanscope.proc.Memory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tukaani.xz.XZInputStream;

/**
 * Pclntab on the Go 1.26 and 1.22 builds of src/test/resources/elf/inlines, read through the
 * executables' PT_LOAD segments. The oracles: the runtime's own GOTRACEBACK=crash traceback
 * of each binary (inlines-go1NN.traceback.txt), and gdb / go tool addr2line answers
 * (inlines-recorded.txt).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PclntabTest {

    /** One binary and the answers recorded for it. */
    record Binary(String resource, String traceback, List<Addr2line> addr2line, long closerCallPc, int closechanLine) {
        @Override
        public String toString() {
            return resource;
        }
    }

    /** A {@code go tool addr2line} answer, confirmed by gdb's "info symbol" and "info line *ADDR". */
    record Addr2line(long pc, String function, String file, int line) {}

    private static final Binary GO126 = new Binary("inlines-go126.xz", "inlines-go126.traceback.txt", List.of(
            new Addr2line(0x47bfd8, "main.closer", "inlines/main.go", 12),
            new Addr2line(0x47bfd4, "main.closer", "inlines/main.go", 12),
            new Addr2line(0x47c244, "main.main.func1", "inlines/main.go", 24),
            new Addr2line(0x47c055, "main.waiter", "inlines/main.go", 27),
            new Addr2line(0x411e87, "runtime.closechan", "runtime/chan.go", 425),
            new Addr2line(0x47374e, "runtime.gopanic", "runtime/panic.go", 879),
            new Addr2line(0x47c1b0, "main.main", "inlines/main.go", 56),
            new Addr2line(0x443ef4, "runtime.main", "runtime/proc.go", 290),
            new Addr2line(0x478dc0, "runtime.goexit", "runtime/asm_amd64.s", 1771)),
            0x47bfd8, 425);

    private static final Binary GO122 = new Binary("inlines-go122.xz", "inlines-go122.traceback.txt", List.of(
            new Addr2line(0x45e8d8, "main.closer", "inlines/main.go", 12),
            new Addr2line(0x45e8d4, "main.closer", "inlines/main.go", 12),
            new Addr2line(0x45eb84, "main.main.func1", "inlines/main.go", 24),
            new Addr2line(0x45e965, "main.waiter", "inlines/main.go", 27),
            new Addr2line(0x4053c4, "runtime.closechan", "runtime/chan.go", 365),
            new Addr2line(0x42e277, "runtime.gopanic", "runtime/panic.go", 779),
            new Addr2line(0x45eae2, "main.main", "inlines/main.go", 56),
            new Addr2line(0x4317fc, "runtime.main", "runtime/proc.go", 271),
            new Addr2line(0x45b900, "runtime.goexit", "runtime/asm_amd64.s", 1695)),
            0x45e8d8, 365);

    // runtime.moduledata field offsets on amd64, Go 1.20 to 1.26 (runtime/symtab.go): pcHeader
    // first, then six slices and four words before text; gofunc after 17 more words.
    private static final int MODULEDATA_TEXT = 176;
    private static final int MODULEDATA_GOFUNC = 320;

    private Path dir;
    private final Map<String, ElfFile> files = new HashMap<>();
    private final Map<String, Pclntab> tables = new HashMap<>();

    @BeforeAll
    void setUp() throws IOException {
        dir = Files.createTempDirectory("pclntab-test");
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

    static Stream<Binary> binaries() {
        return Stream.of(GO126, GO122);
    }

    private ElfFile elf(Binary b) {
        return files.computeIfAbsent(b.resource(), r -> ElfFile.open(unxz(r)));
    }

    /**
     * The table as production code would build it from the executable alone: pcHeader is the
     * start of .gopclntab, text is runtime.text and gofunc is the symbol go:func.* (go.func.*
     * before Go 1.20).
     */
    private Pclntab table(Binary b) {
        return tables.computeIfAbsent(b.resource(), r -> {
            ElfFile f = elf(b);
            return new Pclntab(new ElfVirtualMemory(f), f.section(".gopclntab").orElseThrow().addr(),
                    f.symbolAddress("go:func.*").orElseThrow(), f.symbolAddress("runtime.text").orElseThrow());
        });
    }

    private Path unxz(String resource) {
        Path out = dir.resolve(resource.replace(".xz", ""));
        try (InputStream in = new XZInputStream(resource("/elf/" + resource))) {
            Files.copy(in, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static InputStream resource(String name) {
        InputStream in = PclntabTest.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        return in;
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void moduledataAgreesWithTheSymbols(Binary b) {
        // In a core, firstmoduledata (in .noptrdata, dumped) gives the same three addresses.
        ElfFile f = elf(b);
        Memory m = new ElfVirtualMemory(f);
        long md = f.symbolAddress("runtime.firstmoduledata").orElseThrow();
        assertEquals(f.section(".gopclntab").orElseThrow().addr(), m.u64(md));
        assertEquals(f.symbolAddress("runtime.text").orElseThrow(), m.u64(md + MODULEDATA_TEXT));
        assertEquals(f.symbolAddress("go:func.*").orElseThrow(), m.u64(md + MODULEDATA_GOFUNC));
        Pclntab t = table(b);
        assertEquals("1.20", t.version());
        assertEquals(0x401000, t.textStart());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void functionTable(Binary b) {
        Pclntab t = table(b);
        ElfFile f = elf(b);
        List<FuncInfo> all = t.functions();
        assertEquals(t.functionCount(), all.size());
        assertTrue(all.size() > 1000, "functions: " + all.size());
        int matched = 0;
        for (int i = 0; i < all.size(); i++) {
            FuncInfo fn = all.get(i);
            if (i > 0) {
                assertEquals(all.get(i - 1).end(), fn.entry(), "functions are contiguous");
            }
            // Every function the ELF symbol table also names starts where a symbol of that name
            // says. Names are not unique: an assembly function and its ABIInternal wrapper are
            // both "internal/bytealg.countGeneric" in the pclntab; ELF calls the first ".abi0".
            OptionalLong sym = f.symbolAddress(fn.name());
            OptionalLong abi0 = f.symbolAddress(fn.name() + ".abi0");
            if (sym.isPresent() || abi0.isPresent()) {
                assertTrue(sym.equals(OptionalLong.of(fn.entry())) || abi0.equals(OptionalLong.of(fn.entry())),
                        fn.name() + " at 0x" + Long.toHexString(fn.entry()));
                matched++;
            }
            assertEquals(fn, t.funcAt(fn.entry()).orElseThrow());
            assertEquals(fn, t.funcAt(fn.end() - 1).orElseThrow());
            // No frame yet at the entry; linker markers (go:textfipsstart) have no pcsp table.
            int sp = t.spDelta(fn, fn.entry());
            assertTrue(sp == 0 || sp == -1 && fn.name().startsWith("go:"), fn.name() + " at entry: " + sp);
        }
        assertTrue(matched > all.size() * 9 / 10, "matched " + matched + " of " + all.size());
        assertTrue(t.funcAt(0x401000 - 1).isEmpty());
        assertTrue(t.funcAt(all.get(all.size() - 1).end()).isEmpty());
        assertTrue(t.funcAt(0).isEmpty());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void functionRecords(Binary b) {
        Pclntab t = table(b);
        ElfFile f = elf(b);
        FuncInfo closer = t.funcByName("main.closer").orElseThrow();
        assertEquals(f.symbolAddress("main.closer").orElseThrow(), closer.entry());
        // The ELF symbol's size is 48; end is the next function's entry, after the padding.
        assertEquals(f.symbolAddress("main.waiter").orElseThrow(), closer.end());
        assertEquals(19, closer.startLine());
        assertEquals(Pclntab.FUNCID_NORMAL, closer.funcId());
        assertEquals(0, closer.flag());
        assertEquals(closer, t.funcAt(closer.entry() + 20).orElseThrow());
        assertEquals(40, t.funcByName("main.main").orElseThrow().startLine());

        FuncInfo goexit = t.funcByName("runtime.goexit").orElseThrow();
        assertTrue((goexit.flag() & Pclntab.FUNCFLAG_TopFrame) != 0);
        assertTrue((goexit.flag() & Pclntab.FUNCFLAG_Asm) != 0);
        assertNotEquals(Pclntab.FUNCID_NORMAL, goexit.funcId());
        assertTrue(t.funcByName("main.no.such.function").isEmpty());

        // The inline tree is a funcdata of closer, and its pc-value table is a pcdata.
        assertNotEquals(0, t.funcdata(closer, Pclntab.FUNCDATA_InlTree));
        assertEquals(-1, t.pcdata(closer, Pclntab.PCDATA_InlTreeIndex, closer.entry()));
        assertTrue(t.pcdata(closer, Pclntab.PCDATA_InlTreeIndex, b.closerCallPc()) >= 0);
        assertEquals(0, t.funcdata(closer, 200));
        assertEquals(-1, t.pcdata(closer, 200, closer.entry()));
        assertEquals(0, t.funcdata(t.funcByName("runtime.goexit").orElseThrow(), Pclntab.FUNCDATA_InlTree));
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void linesAgreeWithAddr2lineAndGdb(Binary b) {
        Pclntab t = table(b);
        for (Addr2line a : b.addr2line()) {
            FuncInfo fn = t.funcAt(a.pc()).orElseThrow();
            assertEquals(a.function(), fn.name(), a.toString());
            SourceFrame line = t.line(fn, a.pc());
            assertEquals(a.function(), line.function());
            assertEquals(a.file() + ":" + a.line(), line.file() + ":" + line.line(), a.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void threeLevelsOfInlining(Binary b) {
        Pclntab t = table(b);
        FuncInfo closer = t.funcAt(b.closerCallPc()).orElseThrow();
        // The runtime printed, for the frame of closer calling closechan:
        //   main.(*box).shut(...) main.go:12, main.release(...) :14, main.finish(...) :16, main.closer(...) :20
        assertEquals(List.of(
                new SourceFrame("main.(*box).shut", "inlines/main.go", 12, 0, true),
                new SourceFrame("main.release", "inlines/main.go", 14, 0, true),
                new SourceFrame("main.finish", "inlines/main.go", 16, 0, true),
                new SourceFrame("main.closer", "inlines/main.go", 20, 0, false)),
                t.frames(closer, b.closerCallPc()));
        // Cached: the same list again.
        assertEquals(t.frames(closer, b.closerCallPc()), t.frames(closer, b.closerCallPc()));
        // At the entry nothing is inlined yet: the physical function at its first line.
        assertEquals(List.of(new SourceFrame("main.closer", "inlines/main.go", 19, 0, false)),
                t.frames(closer, closer.entry()));
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void genericNames(Binary b) {
        Pclntab t = table(b);
        FuncInfo waiter = t.funcByName("main.waiter").orElseThrow();
        long pc = b.addr2line().get(3).pc();
        List<SourceFrame> frames = t.frames(waiter, pc);
        assertEquals(2, frames.size());
        assertTrue(frames.get(0).function().startsWith("main.pick["), frames.get(0).function());
        assertEquals("main.pick[...]", frames.get(0).printedName());
        assertEquals("panic", Pclntab.printName("runtime.gopanic"));
        assertEquals("main.(*T[...]).m", Pclntab.printName("main.(*T[go.shape.int]).m"));
        assertEquals("main.f", Pclntab.printName("main.f"));
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void everyFrameOfTheRuntimeTraceback(Binary b) throws IOException {
        Pclntab t = table(b);
        int physical = 0;
        int inlined = 0;
        int createdBy = 0;
        for (PrintedGoroutine g : parse(b.traceback())) {
            for (PhysicalFrame p : g.frames()) {
                FuncInfo fn = t.funcAt(p.pc()).orElseThrow(() -> new AssertionError("no function at " + p));
                // Not a trap anywhere in these tracebacks: lines are looked up at pc - 1.
                long symPc = Pclntab.symbolPc(fn, p.pc(), false);
                List<String> ours = t.frames(fn, symPc).stream()
                        .map(f -> f.printedName() + " " + f.file() + ":" + f.line() + (f.inlined() ? " inlined" : ""))
                        .toList();
                assertEquals(p.logical(), ours, "goroutine " + g.id() + " pc 0x" + Long.toHexString(p.pc()));
                assertEquals(p.offset(), p.pc() - fn.entry(), p.toString());
                // fp = sp + spDelta(pc) + 8 on amd64 (the return address slot).
                assertEquals(p.fp() - p.sp(), t.spDelta(fn, p.pc()) + 8L, p.toString());
                physical++;
                inlined += p.logical().size() - 1;
            }
            if (g.creator() != null) {
                // "created by F in goroutine N / file:line +off": F's line at the go statement.
                FuncInfo fn = t.funcByName(g.creator()).orElseThrow();
                SourceFrame line = t.line(fn, fn.entry() + g.creatorOffset() - 1);
                assertEquals(g.creatorLine(), line.file() + ":" + line.line(), g.toString());
                createdBy++;
            }
        }
        assertEquals(34, physical);
        assertEquals(9, inlined);
        assertEquals(6, createdBy);
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void unsupportedMagic(Binary b) {
        ElfFile f = elf(b);
        // .text does not start with a pclntab header.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Pclntab(new ElfVirtualMemory(f), 0x401000, 0, 0x401000));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    // ---- the runtime's traceback, parsed ----

    /** A physical frame: the logical frames printed for it ("name file:line [inlined]"), then its numbers. */
    record PhysicalFrame(List<String> logical, long offset, long fp, long sp, long pc) {}

    record PrintedGoroutine(int id, List<PhysicalFrame> frames, String creator, String creatorLine, long creatorOffset) {}

    private static final Pattern GOROUTINE = Pattern.compile("^goroutine (\\d+) .*:$");
    private static final Pattern LOCATION = Pattern.compile(
            "^\\t(\\S+):(\\d+)(?: \\+0x(\\p{XDigit}+))?(?: fp=0x(\\p{XDigit}+) sp=0x(\\p{XDigit}+) pc=0x(\\p{XDigit}+))?$");
    private static final Pattern CREATED_BY = Pattern.compile("^created by (\\S+)(?: in goroutine \\d+)?$");

    private static List<PrintedGoroutine> parse(String resource) throws IOException {
        List<PrintedGoroutine> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resource("/elf/" + resource), StandardCharsets.UTF_8))) {
            int id = -1;
            List<PhysicalFrame> frames = new ArrayList<>();
            List<String> pending = new ArrayList<>();
            String function = null;
            String creator = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Matcher g = GOROUTINE.matcher(line);
                Matcher c = CREATED_BY.matcher(line);
                Matcher loc = LOCATION.matcher(line);
                if (g.matches()) {
                    id = Integer.parseInt(g.group(1));
                    frames = new ArrayList<>();
                    pending = new ArrayList<>();
                } else if (c.matches()) {
                    creator = c.group(1);
                } else if (loc.matches()) {
                    String where = loc.group(1) + ":" + loc.group(2);
                    if (creator != null) {
                        out.add(new PrintedGoroutine(id, frames, creator, where, Long.parseLong(loc.group(3), 16)));
                        creator = null;
                        id = -1;
                    } else if (loc.group(6) == null) {
                        pending.add(function + " " + where + " inlined");
                    } else {
                        pending.add(function + " " + where);
                        frames.add(new PhysicalFrame(List.copyOf(pending), Long.parseLong(loc.group(3), 16),
                                Long.parseLong(loc.group(4), 16), Long.parseLong(loc.group(5), 16), Long.parseLong(loc.group(6), 16)));
                        pending = new ArrayList<>();
                    }
                } else if (line.endsWith(")") && id >= 0) {
                    function = nameOf(line);
                } else if (line.isEmpty() && id >= 0) {
                    out.add(new PrintedGoroutine(id, frames, null, null, 0));
                    id = -1;
                }
            }
            if (id >= 0) {
                out.add(new PrintedGoroutine(id, frames, null, null, 0));
            }
        }
        return out;
    }

    /** "main.(*box).shut(...)" → "main.(*box).shut": cut at the '(' that opens the argument list. */
    private static String nameOf(String line) {
        int depth = 0;
        for (int i = line.length() - 1; i >= 0; i--) {
            char ch = line.charAt(i);
            if (ch == ')') {
                depth++;
            } else if (ch == '(' && --depth == 0) {
                return line.substring(0, i);
            }
        }
        throw new IllegalArgumentException(line);
    }
}
