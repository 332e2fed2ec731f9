package dev.chanscope.arch.amd64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.arch.Effect;
import dev.chanscope.arch.Instruction;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.testing.SampleCores;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder against gdb 13.1's disassembler (libopcodes) on whole functions of the sample
 * binaries: runtime memmove/memclr (SSE, AVX, AVX2), aeshashbody (AES-NI), the bytealg bodies,
 * Go 1.26's AVX-512 GC scan kernels (EVEX), CRC32 with PCLMULQDQ and SSE4.2, selectgo, and
 * user functions. Instruction boundaries must agree exactly, and so must every direct call
 * target and every RIP-relative LEA address. The recordings were made with
 * {@code gdb -nx -batch -ex "disassemble /r 'FUNC'" BINARY} (src/test/resources/binary/README.md).
 */
class Amd64DecoderGdbTest {

    /** One instruction as gdb printed it. */
    record GdbInsn(long pc, byte[] bytes, String text) {}

    private static final Pattern HEADER = Pattern.compile("^Dump of assembler code for function (.+):$");
    private static final Pattern LINE = Pattern.compile("^(?:=>)?\\s+0x([0-9a-f]+) <\\+\\d+>:\\t([0-9a-f ]+?)\\s*\\t(.*)$");
    private static final Pattern CALL = Pattern.compile("^call\\s+0x([0-9a-f]+)");
    private static final Pattern LEA = Pattern.compile("^lea\\s+-?0x[0-9a-f]+\\(%rip\\),.*# 0x([0-9a-f]+)");

    static Stream<Arguments> functions() {
        List<Arguments> out = new ArrayList<>();
        for (String[] rec : new String[][] {{"1.26.8", "many-goroutines"}, {"1.22.12", "defer-close"}}) {
            String resource = "/binary/go" + rec[0] + "-" + rec[1] + ".disasm.txt";
            parse(resource).forEach((fn, insns) -> out.add(Arguments.of(rec[0] + "/" + rec[1], fn, insns)));
        }
        assertTrue(out.size() >= 20, "recorded functions: " + out.size());
        return out.stream();
    }

    static Map<String, List<GdbInsn>> parse(String resource) {
        String text;
        try (InputStream in = Amd64DecoderGdbTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, List<GdbInsn>> out = new LinkedHashMap<>();
        List<GdbInsn> cur = null;
        for (String line : text.split("\n")) {
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                cur = new ArrayList<>();
                out.put(h.group(1), cur);
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (m.matches() && cur != null) {
                cur.add(new GdbInsn(Long.parseUnsignedLong(m.group(1), 16),
                        HexFormat.of().parseHex(m.group(2).replace(" ", "")), m.group(3).trim()));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("functions")
    void boundariesCallsAndAddressesMatchGdb(String sample, String function, List<GdbInsn> gdb) {
        String[] s = sample.split("/");
        Amd64Decoder decoder = new Amd64Decoder();
        try (ElfFile exe = ElfFile.open(SampleCores.get(s[0], s[1]).binary())) {
            long start = gdb.get(0).pc();
            GdbInsn last = gdb.get(gdb.size() - 1);
            int len = (int) (last.pc() + last.bytes().length - start);
            byte[] code = exe.readVirtual(start, len).orElseThrow();
            int off = 0;
            for (GdbInsn g : gdb) {
                assertFalse(g.text().contains("(bad)"), "gdb could not decode " + g);
                assertEquals(g.pc(), start + off, function + ": instruction boundary");
                assertArrayEquals(g.bytes(), java.util.Arrays.copyOfRange(code, off, off + g.bytes().length),
                        "the recording is of this binary");
                Instruction in = decoder.decode(code, off, len, g.pc());
                assertNotNull(in, String.format("%s: undecodable at 0x%x (%s)", function, g.pc(), g.text()));
                assertEquals(g.bytes().length, in.length(), String.format("%s: length at 0x%x (%s)", function, g.pc(), g.text()));
                Matcher call = CALL.matcher(g.text());
                if (call.find()) {
                    assertEquals(Instruction.Flow.CALL, in.flow(), g.text());
                    assertEquals(Long.parseUnsignedLong(call.group(1), 16), in.target(), g.text());
                }
                Matcher lea = LEA.matcher(g.text());
                if (lea.find() && g.text().contains("%r") && !g.text().contains(",%e")) {
                    long want = Long.parseUnsignedLong(lea.group(1), 16);
                    assertTrue(in.effects().stream().anyMatch(e -> e instanceof Effect.SetAddress a && a.address() == want),
                            g.text() + " -> " + in.effects());
                }
                off += in.length();
            }
            assertEquals(len, off);
        }
    }
}
