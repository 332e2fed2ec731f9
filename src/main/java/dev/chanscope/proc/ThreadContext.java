package dev.chanscope.proc;

import java.util.Map;

/**
 * One OS thread of the target and its general registers, by gdb's names: amd64's (rip, rsp,
 * rbp, fs_base, ...) or arm64's (x0..x30, sp, pc). The accessors below name the role and pick
 * the register of whichever architecture the thread has.
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
        return reg(registers.containsKey("rip") ? "rip" : "pc");
    }

    public long sp() {
        return reg(registers.containsKey("rsp") ? "rsp" : "sp");
    }

    /** The frame pointer: rbp, or arm64's x29. */
    public long bp() {
        return reg(registers.containsKey("rbp") ? "rbp" : "x29");
    }

    /**
     * The link register (arm64 x30): the return address of a function that has not saved it
     * yet (a leaf, or one stopped before its prologue); 0 on amd64, whose calls push it.
     */
    public long lr() {
        Long v = registers.get("x30");
        return v == null ? 0 : v;
    }
}
