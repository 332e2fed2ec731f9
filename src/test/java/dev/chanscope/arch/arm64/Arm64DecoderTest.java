package dev.chanscope.arch.arm64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.arch.Instruction.Flow;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The arm64 decoder against binutils' disassembler ({@code aarch64-linux-gnu-objdump}, package
 * binutils-aarch64-linux-gnu) over the whole {@code .text} of the arm64 sample binaries: for
 * every instruction, how control leaves it and the target of every direct branch must agree,
 * and so must every address ADRP/ADR forms, every 64-bit register move, every 64-bit load and
 * store at a register + immediate and every ADD/SUB immediate of a 64-bit register. Then a few
 * instruction words taken from those binaries, decoded by hand from the Arm ARM.
 */
class Arm64DecoderTest {
    private static final String OBJDUMP = "aarch64-linux-gnu-objdump";

    /** {@code    9c9a0:\tbl\t20220 <runtime.chansend1>} */
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f]{8}) \\t([a-z0-9.]+)\\s*(.*)$");
    private static final Pattern TARGET = Pattern.compile("(?:^|, )([0-9a-f]+) <");
    private static final Pattern REG_IMM = Pattern.compile("^x(\\d+), \\[(x\\d+|sp)(?:, #(-?\\d+))?\\]$");
    private static final Pattern REG_PAIR = Pattern.compile("^x(\\d+), x(\\d+), \\[(x\\d+|sp)(?:, #(-?\\d+))?\\]$");
    private static final Pattern MOV = Pattern.compile("^x(\\d+), x(\\d+)$");
    private static final Pattern ADDR = Pattern.compile("^x(\\d+), 0x([0-9a-f]+)$|^x(\\d+), ([0-9a-f]+) <");
    /** {@code orr x3, xzr, #0x1}: MOV of a bitmask immediate. */
    private static final Pattern ORR_ZR = Pattern.compile("^x(\\d+), xzr, #0x([0-9a-f]+)$");
    private static final Pattern ADD_IMM = Pattern.compile("^(x\\d+|sp), (x\\d+|sp), #0x([0-9a-f]+)$");

    static Stream<SampleCores.Entry> binaries() {
        List<SampleCores.Entry> arm = SampleCores.forArch("arm64");
        assertTrue(arm.size() >= 6, "arm64 samples: " + arm.size());
        // one binary of each Go release
        Map<String, SampleCores.Entry> byGo = new TreeMap<>();
        arm.forEach(e -> byGo.putIfAbsent(e.goVersion(), e));
        assertTrue(byGo.size() >= 2, "arm64 samples of two Go releases: " + byGo.keySet());
        return byGo.values().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaries")
    void agreesWithObjdumpOnEveryInstructionOfText(SampleCores.Entry e) throws Exception {
        int compared = 0;
        int branches = 0;
        int dataflow = 0;
        List<String> problems = new ArrayList<>();
        long[] page = null; // {register, page} of the instruction before, when it is ADRP
        try (ElfFile exe = ElfFile.open(e.binary())) {
            assertEquals(ElfFile.EM_AARCH64, exe.machine());
            ElfFile.Section text = exe.section(".text").orElseThrow();
            byte[] code = exe.readAt(text.offset(), (int) text.size());
            Process p = new ProcessBuilder(OBJDUMP, "-d", "-z", "-j", ".text", e.binary().toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LINE.matcher(line);
                    if (!m.matches()) {
                        continue;
                    }
                    long pc = Long.parseLong(m.group(1), 16);
                    int off = (int) (pc - text.addr());
                    Instruction in = new Arm64Decoder().decode(code, off, code.length, pc);
                    String mn = m.group(3);
                    String ops = m.group(4).replaceAll("\\s*//.*$", "").strip();
                    compared++;
                    String why = compare(in, mn, ops, page);
                    Matcher adrp = mn.equals("adrp") ? ADDR.matcher(ops) : null;
                    page = adrp != null && adrp.find() ? new long[] {
                        Integer.parseInt(adrp.group(1) != null ? adrp.group(1) : adrp.group(3)),
                        Long.parseLong(adrp.group(2) != null ? adrp.group(2) : adrp.group(4), 16)} : null;
                    if (why != null) {
                        if (problems.size() < 25) {
                            problems.add(String.format("0x%x %s %s %s: %s", pc, m.group(2), mn, ops, why));
                        } else {
                            problems.add("...");
                            break;
                        }
                    }
                    if (in.target() != 0) {
                        branches++;
                    }
                    if (!in.effects().isEmpty()) {
                        dataflow++;
                    }
                }
            }
            assertEquals(0, p.waitFor(), OBJDUMP + " failed");
            assertEquals(code.length / 4, compared, "objdump printed every word of .text");
        }
        assertTrue(problems.isEmpty(), e.id() + ": " + problems.size() + " disagreements:\n  " + String.join("\n  ", problems));
        assertTrue(compared > 50_000 && branches > 10_000 && dataflow > 20_000,
                "compared " + compared + ", branches " + branches + ", with effects " + dataflow);
    }

    /** Null when the decoded instruction says what objdump's text says; otherwise why not. */
    private static String compare(Instruction in, String mn, String ops, long[] page) {
        Flow want = switch (mn) {
            case "bl" -> Flow.CALL;
            case "b" -> Flow.JUMP;
            case "cbz", "cbnz", "tbz", "tbnz" -> Flow.BRANCH;
            case "br" -> Flow.JUMP_INDIRECT;
            case "blr" -> Flow.CALL_INDIRECT;
            case "ret" -> Flow.RETURN;
            case "udf", "brk", "hlt" -> Flow.STOP;
            default -> mn.startsWith("b.") ? (mn.equals("b.al") ? Flow.JUMP : Flow.BRANCH) : Flow.NEXT;
        };
        if (in.flow() != want) {
            return "flow " + in.flow() + ", want " + want;
        }
        if (want == Flow.CALL || want == Flow.JUMP || want == Flow.BRANCH) {
            Matcher t = TARGET.matcher(ops);
            long target = t.find() ? Long.parseLong(t.group(1), 16) : -1;
            if (in.target() != target) {
                return String.format("target 0x%x, want 0x%x", in.target(), target);
            }
        }
        switch (mn) {
            case "adrp", "adr" -> {
                Matcher a = ADDR.matcher(ops);
                if (a.find()) {
                    int reg = Integer.parseInt(a.group(1) != null ? a.group(1) : a.group(3));
                    long addr = Long.parseLong(a.group(2) != null ? a.group(2) : a.group(4), 16);
                    return expect(in, new Effect.SetAddress(reg, addr));
                }
            }
            case "orr" -> {
                Matcher a = ORR_ZR.matcher(ops);
                if (a.matches()) {
                    return expect(in, new Effect.SetConstant(Integer.parseInt(a.group(1)), Long.parseUnsignedLong(a.group(2), 16)));
                }
            }
            case "mov" -> {
                Matcher a = MOV.matcher(ops);
                if (a.matches()) {
                    return expect(in, new Effect.Move(Integer.parseInt(a.group(1)), Integer.parseInt(a.group(2))));
                }
                if (ops.equals("sp, x29") || ops.matches("x\\d+, sp")) {
                    String[] r = ops.split(", ");
                    return expect(in, new Effect.AddOffset(reg(r[0]), reg(r[1]), 0));
                }
            }
            case "ldr", "str", "ldur", "stur" -> {
                Matcher a = REG_IMM.matcher(ops);
                if (a.matches()) {
                    int rt = Integer.parseInt(a.group(1));
                    int base = reg(a.group(2));
                    long disp = a.group(3) == null ? 0 : Long.parseLong(a.group(3));
                    if (mn.equals("ldr") && page != null && page[0] == base) {
                        // ADRP + LDR: the load of a global, with the whole address
                        return expect(in, new Effect.LoadGlobal(rt, page[1] + disp));
                    }
                    return expect(in, mn.startsWith("l") ? new Effect.Load(rt, base, disp) : new Effect.Store(rt, base, disp));
                }
            }
            case "ldp", "stp" -> {
                Matcher a = REG_PAIR.matcher(ops);
                if (a.matches()) {
                    int r1 = Integer.parseInt(a.group(1));
                    int r2 = Integer.parseInt(a.group(2));
                    int base = reg(a.group(3));
                    long disp = a.group(4) == null ? 0 : Long.parseLong(a.group(4));
                    String first = mn.equals("ldp") ? expect(in, new Effect.Load(r1, base, disp))
                            : expect(in, new Effect.Store(r1, base, disp));
                    return first != null ? first : mn.equals("ldp") ? expect(in, new Effect.Load(r2, base, disp + 8))
                            : expect(in, new Effect.Store(r2, base, disp + 8));
                }
            }
            case "add", "sub" -> {
                Matcher a = ADD_IMM.matcher(ops);
                if (a.matches()) {
                    long imm = Long.parseLong(a.group(3), 16);
                    if (mn.equals("add") && page != null && a.group(2).equals("x" + page[0])) {
                        // ADRP + ADD: the address of a symbol
                        return expect(in, new Effect.SetAddress(reg(a.group(1)), page[1] + imm));
                    }
                    return expect(in, new Effect.AddOffset(reg(a.group(1)), reg(a.group(2)), mn.equals("sub") ? -imm : imm));
                }
            }
            default -> { }
        }
        return null;
    }

    private static int reg(String name) {
        return name.equals("sp") ? 31 : Integer.parseInt(name.substring(1));
    }

    private static String expect(Instruction in, Effect want) {
        return in.effects().contains(want) ? null : "effects " + in.effects() + ", want " + want;
    }

    private static Instruction word(int w, long pc) {
        return Arm64Decoder.decode(w, pc);
    }

    @Test
    void callsAndBranchesFromAGoBinary() {
        // 9c9a0: 97fe0e20  bl 20220 <runtime.chansend1> (main.(*Collector).scrapeLoop, Go 1.26.8)
        Instruction bl = word(0x97fe0e20, 0x9c9a0);
        assertEquals(Flow.CALL, bl.flow());
        assertEquals(0x20220, bl.target());
        assertEquals(4, bl.length());
        // 9c94c: 54000669  b.ls 9ca18 (the stack-bound check of the prologue)
        Instruction bls = word(0x54000669, 0x9c94c);
        assertEquals(Flow.BRANCH, bls.flow());
        assertEquals(0x9ca18, bls.target());
        assertTrue(bls.endsBlock());
        // ret: d65f03c0; udf #0: 00000000 (padding between functions)
        assertEquals(Flow.RETURN, word(0xd65f03c0, 0).flow());
        assertEquals(Flow.STOP, word(0x00000000, 0).flow());
        // blr x2: d63f0040, the target read from x2
        Instruction blr = word(0xd63f0040, 0x1000);
        assertEquals(Flow.CALL_INDIRECT, blr.flow());
        assertTrue(blr.effects().contains(new Effect.CallThrough(2, -1, 0)));
        // cbz x0, backwards: b4ffffe0 at 0x2000 is cbz x0, 0x1ffc
        Instruction cbz = word(0xb4ffffe0, 0x2000);
        assertEquals(Flow.BRANCH, cbz.flow());
        assertEquals(0x1ffc, cbz.target());
    }

    @Test
    void prologueStoresAndArgumentSpills() {
        // 9c950: f8170ffe  str x30, [sp, #-144]!  (MOVD.W R30, -144(RSP)): store, then SP moves
        Instruction pre = word(0xf8170ffe, 0x9c950);
        assertEquals(List.of(new Effect.Store(30, 31, -144), new Effect.AddOffset(31, 31, -144)), pre.effects());
        // 9c95c: f9004fe0  str x0, [sp, #152]: the receiver spilled to the caller's argument area
        assertEquals(List.of(new Effect.Store(0, 31, 152)), word(0xf9004fe0, 0x9c95c).effects());
        // 9c998: f9400c00  ldr x0, [x0, #24]: a field load
        assertEquals(List.of(new Effect.Load(0, 0, 24)), word(0xf9400c00, 0x9c998).effects());
        // 9c99c: 910163e1  add x1, sp, #0x58: the address of a stack temporary (chansend1's elem)
        assertEquals(List.of(new Effect.AddOffset(1, 31, 0x58)), word(0x910163e1, 0x9c99c).effects());
        // 9c968: aa1f03e3  mov x3, xzr
        assertEquals(List.of(new Effect.SetConstant(3, 0)), word(0xaa1f03e3, 0x9c968).effects());
        // aa0103e0  mov x0, x1
        assertEquals(List.of(new Effect.Move(0, 1)), word(0xaa0103e0, 0).effects());
        // f100003f  cmp x1, #0x0: flags only
        assertFalse(word(0xf100003f, 0).effects().stream().anyMatch(f -> f instanceof Effect.Clobber));
    }

    @Test
    void bitmaskImmediates() {
        // orr x3, xzr, #0x1 (main.(*watcher).send: selectgo's nsends); orr x2, xzr, #0xf
        assertEquals(List.of(new Effect.SetConstant(3, 1)), word(0xb24003e3, 0).effects());
        assertEquals(List.of(new Effect.SetConstant(2, 0xf)), word(0xb2400fe2, 0).effects());
        // mov w1, #0x80000003 (orr w1, wzr: three ones rotated right by one, 32-bit)
        assertEquals(0x80000003L, Arm64Decoder.bitmask(0x32010be1));
    }

    @Test
    void adrpPairsGiveWholeAddresses() {
        // 9d280: adrp x2, 9d000; 9d284: add x2, x2, #0x510 (main.main.gowrap1's entry)
        byte[] code = bytes(0x90000002, 0x91144042);
        Instruction add = new Arm64Decoder().decode(code, 4, 8, 0x9d284);
        assertEquals(List.of(new Effect.SetAddress(2, 0x9d510)), add.effects());
        // an ADD on another register is a plain AddOffset
        assertEquals(List.of(new Effect.AddOffset(2, 2, 0x510)), Arm64Decoder.decode(0x91144042, 0x9d284).effects());
    }

    private static byte[] bytes(int... words) {
        byte[] b = new byte[4 * words.length];
        for (int i = 0; i < words.length; i++) {
            for (int k = 0; k < 4; k++) {
                b[4 * i + k] = (byte) (words[i] >>> (8 * k));
            }
        }
        return b;
    }

    @Test
    void addressFormation() {
        // adrp x0, 0x16c000 at 0x9d000 (0xcf pages on); add x0, x0, #0x80
        Instruction adrp = word(0xf0000660, 0x9d000);
        assertEquals(List.of(new Effect.SetAddress(0, 0x16c000)), adrp.effects());
        assertEquals(List.of(new Effect.AddOffset(0, 0, 0x80)), word(0x91020000, 0x9d004).effects());
        // movz x1, #0x5 ; movn x2, #0
        assertEquals(List.of(new Effect.SetConstant(1, 5)), word(0xd28000a1, 0).effects());
        assertEquals(List.of(new Effect.SetConstant(2, -1)), word(0x92800002, 0).effects());
    }

    /**
     * The decoder reads untrusted code (docs/security.md): any word, after any word, decodes to
     * one 4-byte instruction with registers in range and never throws.
     */
    @Test
    void anyWordDecodes() {
        java.util.Random r = new java.util.Random(14);
        byte[] code = new byte[8];
        Arm64Decoder d = new Arm64Decoder();
        for (int i = 0; i < 1_000_000; i++) {
            r.nextBytes(code);
            if (i % 4 == 0) {
                code[3] = (byte) (0x90 | code[3] & 0x60); // an ADRP before the second word
            }
            Instruction in = d.decode(code, 4, 8, 0x10000L + 8L * i);
            assertEquals(4, in.length());
            for (Effect e : in.effects()) {
                if (e instanceof Effect.Clobber c) {
                    assertTrue(c.reg() >= 0 && c.reg() < 32, e.toString());
                } else if (e instanceof Effect.Load l) {
                    assertTrue(l.dst() >= 0 && l.dst() < 32 && l.base() >= 0 && l.base() < 32, e.toString());
                } else if (e instanceof Effect.Store st) {
                    assertTrue(st.src() >= -1 && st.src() < 31 && st.base() >= 0 && st.base() < 32, e.toString());
                }
            }
        }
    }

    @Test
    void nothingPastTheLimit() {
        byte[] code = {0x20, 0x0e, (byte) 0xfe, (byte) 0x97};
        assertNull(new Arm64Decoder().decode(code, 0, 3, 0));
        assertEquals(Flow.CALL, new Arm64Decoder().decode(code, 0, 4, 0x9c9a0).flow());
    }
}
