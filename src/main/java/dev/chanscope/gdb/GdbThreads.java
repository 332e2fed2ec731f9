package dev.chanscope.gdb;

import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.MiValue;
import dev.chanscope.proc.NativeFrame;
import dev.chanscope.proc.ThreadContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Threads and their registers through gdb/MI. Works the same for a core and for an attached
 * process, which is why the target layer asks gdb rather than parsing NT_PRSTATUS itself.
 */
public final class GdbThreads {
    private static final Pattern HEX = Pattern.compile("0x([0-9a-fA-F]+)");
    private static final Pattern LWP = Pattern.compile("LWP (\\d+)|Thread \\S+ \\(LWP (\\d+)\\)|process (\\d+)");

    private GdbThreads() {
    }

    public static List<ThreadContext> read(GdbSession gdb) {
        List<String> names = new ArrayList<>();
        for (MiValue v : list(gdb.execute("-data-list-register-names").results().get("register-names").orElseThrow())) {
            names.add(v instanceof MiValue.Const c ? c.value() : "");
        }
        List<ThreadContext> out = new ArrayList<>();
        MiValue threads = gdb.execute("-thread-info").results().get("threads").orElseThrow();
        for (MiValue t : list(threads)) {
            MiValue.Tuple tuple = (MiValue.Tuple) t;
            String id = tuple.string("id").orElseThrow();
            String targetId = tuple.string("target-id").orElse("");
            Matcher m = LWP.matcher(targetId);
            int lwp = -1;
            if (m.find()) {
                String g = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
                lwp = Integer.parseInt(g);
            }
            Map<String, Long> regs = new LinkedHashMap<>();
            MiValue values = gdb.execute("-data-list-register-values --thread " + id + " x")
                    .results().get("register-values").orElseThrow();
            for (MiValue rv : list(values)) {
                MiValue.Tuple r = (MiValue.Tuple) rv;
                int num = Integer.parseInt(r.string("number").orElse("-1"));
                String val = r.string("value").orElse("");
                if (num >= 0 && num < names.size() && !names.get(num).isEmpty() && val.startsWith("0x")) {
                    try {
                        regs.put(names.get(num), Long.parseUnsignedLong(val.substring(2), 16));
                    } catch (NumberFormatException ignored) {
                        // vector registers print as tuples or wide values; we need none of them
                    }
                }
            }
            out.add(new ThreadContext(lwp, Map.copyOf(regs)));
        }
        return List.copyOf(out);
    }

    /**
     * gdb's backtrace of the thread with LWP {@code lwp}, at most {@code max} frames: pc from
     * {@code -stack-list-frames}, sp by evaluating {@code $sp} in each frame.
     */
    public static List<NativeFrame> frames(GdbSession gdb, int lwp, int max) {
        String id = null;
        for (MiValue t : list(gdb.execute("-thread-info").results().get("threads").orElseThrow())) {
            MiValue.Tuple tuple = (MiValue.Tuple) t;
            Matcher m = LWP.matcher(tuple.string("target-id").orElse(""));
            if (m.find()) {
                String g = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
                if (Integer.parseInt(g) == lwp) {
                    id = tuple.string("id").orElse(null);
                    break;
                }
            }
        }
        if (id == null) {
            return List.of();
        }
        List<NativeFrame> out = new ArrayList<>();
        MiValue stack = gdb.execute("-stack-list-frames --thread " + id + " 0 " + (max - 1))
                .results().get("stack").orElseThrow();
        for (MiValue f : list(stack)) {
            MiValue.Tuple frame = f instanceof MiValue.Tuple t ? t : null;
            if (frame == null) {
                continue;
            }
            int level = Integer.parseInt(frame.string("level").orElse("-1"));
            long pc = Long.decode(frame.string("addr").orElse("0"));
            boolean signal = frame.string("func").orElse("").equals("<signal handler called>");
            // $sp, not a C cast: the frame's language may be Go, whose syntax gdb then expects.
            String sp = gdb.execute("-data-evaluate-expression --thread " + id + " --frame " + level + " $sp")
                    .results().string("value").orElse("");
            Matcher hex = HEX.matcher(sp);
            if (!hex.find()) {
                continue;
            }
            out.add(new NativeFrame(level, pc, Long.parseUnsignedLong(hex.group(1), 16), signal));
        }
        return List.copyOf(out);
    }

    public static List<MiValue> list(MiValue v) {
        if (v instanceof MiValue.ValueList l) {
            return l.values();
        }
        if (v instanceof MiValue.ResultList r) {
            return r.values();
        }
        return List.of(v);
    }
}
