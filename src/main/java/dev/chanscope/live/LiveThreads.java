package dev.chanscope.live;

import dev.chanscope.gdb.GdbSession;
import dev.chanscope.gdb.GdbThreads;
import dev.chanscope.gdb.MiValue;
import dev.chanscope.proc.ThreadContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The threads of an attached process and the general registers the analysis needs, through
 * gdb/MI. Like {@link GdbThreads} but asking for the 27 general registers by number: the full
 * register list of one amd64 thread (vector and mask registers included) is about 50 KB of MI
 * output, and this runs while the process is held stopped.
 */
final class LiveThreads {
    private static final Pattern LWP = Pattern.compile("LWP (\\d+)|Thread \\S+ \\(LWP (\\d+)\\)|process (\\d+)");

    /** amd64 struct user_regs_struct, the registers of a core's NT_PRSTATUS. */
    static final List<String> GENERAL = List.of(
            "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
            "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss",
            "fs_base", "gs_base", "ds", "es", "fs", "gs");

    private LiveThreads() {
    }

    static List<ThreadContext> read(GdbSession gdb) {
        List<String> names = new ArrayList<>();
        for (MiValue v : GdbThreads.list(gdb.execute("-data-list-register-names").results().get("register-names").orElseThrow())) {
            names.add(v instanceof MiValue.Const c ? c.value() : "");
        }
        StringBuilder numbers = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (GENERAL.contains(names.get(i))) {
                numbers.append(' ').append(i);
            }
        }
        List<ThreadContext> out = new ArrayList<>();
        for (MiValue t : GdbThreads.list(gdb.execute("-thread-info").results().get("threads").orElseThrow())) {
            MiValue.Tuple tuple = (MiValue.Tuple) t;
            String id = tuple.string("id").orElseThrow();
            Matcher m = LWP.matcher(tuple.string("target-id").orElse(""));
            int lwp = -1;
            if (m.find()) {
                String g = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
                lwp = Integer.parseInt(g);
            }
            Map<String, Long> regs = new LinkedHashMap<>();
            MiValue values = gdb.execute("-data-list-register-values --thread " + id + " x" + numbers)
                    .results().get("register-values").orElseThrow();
            for (MiValue rv : GdbThreads.list(values)) {
                MiValue.Tuple r = (MiValue.Tuple) rv;
                int num = Integer.parseInt(r.string("number").orElse("-1"));
                String val = r.string("value").orElse("");
                if (num >= 0 && num < names.size() && val.startsWith("0x")) {
                    try {
                        regs.put(names.get(num), Long.parseUnsignedLong(val.substring(2), 16));
                    } catch (NumberFormatException ignored) {
                        // not a plain integer register
                    }
                }
            }
            out.add(new ThreadContext(lwp, Map.copyOf(regs)));
        }
        return List.copyOf(out);
    }
}
