package dev.chanscope.proc;

import java.util.Map;

/**
 * One OS thread of the target and its general registers, by gdb's amd64 names
 * (rip, rsp, rbp, fs_base, ...).
 */
public record ThreadContext(int lwp, Map<String, Long> registers) {
    public long reg(String name) {
        Long v = registers.get(name);
        if (v == null) {
            throw new IllegalStateException("thread " + lwp + " has no register " + name);
        }
        return v;
    }

    public long pc() {
        return reg("rip");
    }

    public long sp() {
        return reg("rsp");
    }

    public long bp() {
        return reg("rbp");
    }
}
