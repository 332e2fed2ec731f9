package dev.chanscope.goruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.goruntime.Pclntab.FuncInfo;
import dev.chanscope.goruntime.Pclntab.SourceFrame;
import dev.chanscope.proc.Memory;
import dev.chanscope.proc.MemoryAccessException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both pclntab layouts on a hand-built table. The real binaries in PclntabTest are Go 1.22
 * and 1.26 (both magic 0xfffffff1); no Go 1.18/1.19 toolchain can be fetched here, so the
 * 0xfffffff0 layout (no _func.startLine, 20-byte inlinedCall) is checked by encoding the same
 * table both ways, following the structures in PclnLayout's sources.
 *
 * <p>The table: main.outer at text+0 (0x100 bytes) with main.inner inlined at parentPc 0x20 and
 * main.leaf inlined into inner at parentPc 0x30; main.second at text+0x100 (0x80 bytes)
 * without an inline tree.
 */
class PclnLayoutTest {
    private static final long BASE = 0x500000;
    private static final long TEXT = 0x401000;
    private static final long GOFUNC = 0x580000;

    @ParameterizedTest
    @ValueSource(longs = {0xfffffff0L, 0xfffffff1L})
    void inlineExpansion(long magic) {
        Pclntab t = build(magic);
        FuncInfo outer = t.funcAt(TEXT + 0x45).orElseThrow();
        assertEquals("main.outer", outer.name());
        assertEquals(magic == 0xfffffff1L ? 9 : 0, outer.startLine());
        assertEquals(List.of(
                new SourceFrame("main.leaf", "b.go", 31, 0, true),
                new SourceFrame("main.inner", "a.go", 21, 0, true),
                new SourceFrame("main.outer", "a.go", 11, 0, false)), t.frames(outer, TEXT + 0x45));
        assertEquals(List.of(
                new SourceFrame("main.inner", "a.go", 21, 0, true),
                new SourceFrame("main.outer", "a.go", 11, 0, false)), t.frames(outer, TEXT + 0x35));
        assertEquals(List.of(new SourceFrame("main.outer", "a.go", 12, 0, false)), t.frames(outer, TEXT + 0x60));
        assertEquals(new SourceFrame("main.outer", "b.go", 31, 0, false), t.line(outer, TEXT + 0x4f));
    }

    @ParameterizedTest
    @ValueSource(longs = {0xfffffff0L, 0xfffffff1L})
    void functionsAndTables(long magic) {
        Pclntab t = build(magic);
        assertEquals(magic == 0xfffffff1L ? "1.20" : "1.18", t.version());
        assertEquals(2, t.functionCount());
        FuncInfo second = t.funcByName("main.second").orElseThrow();
        assertEquals(new FuncInfo(TEXT + 0x100, TEXT + 0x180, "main.second", 7, Pclntab.FUNCFLAG_TopFrame,
                magic == 0xfffffff1L ? 50 : 0, 16, 0x70, second.funcOffset()), second);
        assertEquals(second, t.funcAt(TEXT + 0x17f).orElseThrow());
        assertTrue(t.funcAt(TEXT + 0x180).isEmpty());
        assertTrue(t.funcAt(TEXT - 1).isEmpty());
        assertEquals(List.of(new SourceFrame("main.second", "a.go", 40, 7, false)), t.frames(second, TEXT + 0x120));

        FuncInfo outer = t.funcByName("main.outer").orElseThrow();
        assertEquals(0, t.spDelta(outer, TEXT));
        assertEquals(0x18, t.spDelta(outer, TEXT + 4));
        assertEquals(0x18, t.spDelta(outer, TEXT + 0xef));
        assertEquals(0, t.spDelta(outer, TEXT + 0xf0));
        assertEquals(8, t.spDelta(second, TEXT + 0x100));
        // Past the end of its table: -1, as runtime.pcvalue returns.
        assertEquals(-1, t.spDelta(outer, TEXT + 0x100));
        assertEquals(GOFUNC, t.funcdata(outer, Pclntab.FUNCDATA_InlTree));
        assertEquals(0, t.funcdata(outer, Pclntab.FUNCDATA_ArgsPointerMaps));
        assertEquals(0, t.funcdata(second, Pclntab.FUNCDATA_InlTree));
        assertEquals(1, t.pcdata(outer, Pclntab.PCDATA_InlTreeIndex, TEXT + 0x40));
        assertEquals(-1, t.pcdata(outer, Pclntab.PCDATA_UnsafePoint, TEXT + 0x40));
        assertEquals(-1, t.pcdata(second, Pclntab.PCDATA_InlTreeIndex, TEXT + 0x100));
        assertEquals(t.functions(), List.of(outer, second));
    }

    @ParameterizedTest
    @ValueSource(longs = {0xfffffff0L, 0xfffffff1L})
    void symbolPc(long magic) {
        FuncInfo outer = build(magic).funcByName("main.outer").orElseThrow();
        assertEquals(TEXT + 0x44, Pclntab.symbolPc(outer, TEXT + 0x45, false));
        assertEquals(TEXT + 0x45, Pclntab.symbolPc(outer, TEXT + 0x45, true));
        assertEquals(TEXT, Pclntab.symbolPc(outer, TEXT, false));
    }

    @ParameterizedTest
    @ValueSource(longs = {0xfffffffbL, 0xfffffffaL, 0})
    void olderVersionsAreRejected(long magic) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build(magic));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    // ---- building the table ----

    private static Pclntab build(long magic) {
        boolean go120 = magic != 0xfffffff0L;
        Image img = new Image();
        int header = img.reserve(72);
        int funcnametab = img.pos();
        int outerName = img.cString("main.outer");
        int innerName = img.cString("main.inner");
        int leafName = img.cString("main.leaf");
        int secondName = img.cString("main.second");
        int cutab = img.pos();
        int filetab = cutab + 8;
        img.u32(0).u32(5); // CU 0: file 0 at filetab+0, file 1 at filetab+5
        img.cString("a.go");
        img.cString("b.go");
        int pctab = img.pos();
        img.u8(0); // offset 0 means "no table"
        int outerSp = img.table(new int[][] {{4, 0}, {0xec, 0x18}, {0x10, 0}});
        int outerFile = img.table(new int[][] {{0x40, 0}, {0x10, 1}, {0xb0, 0}});
        int outerLine = img.table(new int[][] {{0x20, 10}, {0x10, 11}, {0x10, 21}, {0x10, 31}, {0xb0, 12}});
        int outerInl = img.table(new int[][] {{0x30, -1}, {0x10, 0}, {0x10, 1}, {0xb0, -1}});
        int secondSp = img.table(new int[][] {{0x80, 8}});
        int secondFile = img.table(new int[][] {{0x80, 0}});
        int secondLine = img.table(new int[][] {{0x80, 40}});
        img.align(8);
        int pclntable = img.pos();
        int ftab = img.reserve(3 * 8);
        int funcSize = go120 ? 44 : 40;
        int outerFunc = img.pos() - pclntable;
        img.func(go120, 0, outerName - funcnametab, 8, 0, outerSp - pctab, outerFile - pctab, outerLine - pctab,
                9, 0, 0, new int[] {0, 0, outerInl - pctab}, new int[] {-1, -1, -1, 0});
        int secondFunc = img.pos() - pclntable;
        img.func(go120, 0x100, secondName - funcnametab, 16, 0x70, secondSp - pctab, secondFile - pctab,
                secondLine - pctab, 50, 7, Pclntab.FUNCFLAG_TopFrame, new int[0], new int[0]);
        assertEquals(pclntable + outerFunc + funcSize + 3 * 4 + 4 * 4, pclntable + secondFunc);
        img.putU32(ftab, 0).putU32(ftab + 4, outerFunc)
                .putU32(ftab + 8, 0x100).putU32(ftab + 12, secondFunc)
                .putU32(ftab + 16, 0x180).putU32(ftab + 20, 0);

        // pcHeader: magic, pad, pad, minLC 1, ptrSize 8, nfunc, nfiles, textStart, then offsets.
        img.putU32(header, (int) magic).putU32(header + 4, 0x08010000)
                .putU64(header + 8, 2).putU64(header + 16, 2).putU64(header + 24, go120 ? 0 : TEXT)
                .putU64(header + 32, funcnametab - header).putU64(header + 40, cutab - header)
                .putU64(header + 48, filetab - header).putU64(header + 56, pctab - header)
                .putU64(header + 64, pclntable - header);

        // The inline tree at gofunc: entry 0 is inner (called at outer+0x20), entry 1 is leaf
        // (called at outer+0x30, inside inner).
        Image tree = new Image();
        if (go120) {
            tree.u8(0).u8(0).u8(0).u8(0).u32(innerName - funcnametab).u32(0x20).u32(20);
            tree.u8(0).u8(0).u8(0).u8(0).u32(leafName - funcnametab).u32(0x30).u32(30);
        } else {
            tree.u8(0xff).u8(0xff).u8(0).u8(0).u32(0).u32(11).u32(innerName - funcnametab).u32(0x20);
            tree.u8(0).u8(0).u8(0).u8(0).u32(0).u32(21).u32(leafName - funcnametab).u32(0x30);
        }
        return new Pclntab(new TwoRegions(BASE, img.bytes(), GOFUNC, tree.bytes()), BASE, GOFUNC, go120 ? TEXT : 0);
    }

    /** Little-endian bytes being laid out, with pc-value table and _func encoders. */
    private static final class Image {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private byte[] patched;

        int pos() {
            return out.size();
        }

        int reserve(int n) {
            int at = pos();
            out.write(new byte[n], 0, n);
            return at;
        }

        void align(int a) {
            while (pos() % a != 0) {
                out.write(0);
            }
        }

        Image u8(int v) {
            out.write(v);
            return this;
        }

        Image u32(int v) {
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
            return this;
        }

        int cString(String s) {
            int at = pos();
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
            out.write(0);
            return at;
        }

        /** A pc-value table from (length in bytes, value) runs; returns its position. */
        int table(int[][] runs) {
            int at = pos();
            int value = -1;
            for (int[] run : runs) {
                int delta = run[1] - value;
                uvarint((delta << 1) ^ (delta >> 31));
                uvarint(run[0]);
                value = run[1];
            }
            out.write(0);
            return at;
        }

        private void uvarint(int v) {
            long u = Integer.toUnsignedLong(v);
            while (u >= 0x80) {
                out.write((int) (u & 0x7f) | 0x80);
                u >>>= 7;
            }
            out.write((int) u);
        }

        /** A _func record and its pcdata and funcdata arrays (funcdata -1 = none). */
        void func(boolean go120, int entryOff, int nameOff, int args, int deferreturn, int pcsp, int pcfile, int pcln,
                  int startLine, int funcId, int flag, int[] pcdata, int[] funcdata) {
            u32(entryOff).u32(nameOff).u32(args).u32(deferreturn).u32(pcsp).u32(pcfile).u32(pcln)
                    .u32(pcdata.length).u32(0);
            if (go120) {
                u32(startLine);
            }
            u8(funcId).u8(flag).u8(0).u8(funcdata.length);
            Arrays.stream(pcdata).forEach(this::u32);
            Arrays.stream(funcdata).forEach(this::u32);
        }

        Image putU32(int at, int v) {
            buffer().putInt(at, v);
            return this;
        }

        Image putU64(int at, long v) {
            buffer().putLong(at, v);
            return this;
        }

        private ByteBuffer buffer() {
            if (patched == null) {
                patched = out.toByteArray();
            }
            return ByteBuffer.wrap(patched).order(ByteOrder.LITTLE_ENDIAN);
        }

        byte[] bytes() {
            return patched != null ? patched : out.toByteArray();
        }
    }

    /** Target memory with two mapped regions. */
    private record TwoRegions(long base1, byte[] region1, long base2, byte[] region2) implements Memory {
        @Override
        public byte[] read(long address, int length) {
            for (int i = 0; i < 2; i++) {
                long base = i == 0 ? base1 : base2;
                byte[] r = i == 0 ? region1 : region2;
                if (address >= base && address + length <= base + r.length) {
                    return Arrays.copyOfRange(r, (int) (address - base), (int) (address - base) + length);
                }
            }
            throw new MemoryAccessException(address, length);
        }

        @Override
        public boolean isReadable(long address, int length) {
            try {
                read(address, length);
                return true;
            } catch (MemoryAccessException e) {
                return false;
            }
        }
    }
}
