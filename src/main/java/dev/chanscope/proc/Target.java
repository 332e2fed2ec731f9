package dev.chanscope.proc;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the analysis reads from: memory, threads and their registers, symbols and types. A core
 * file implements it now; a stopped live process implements it the same way, so everything
 * above this layer is shared (the shape of Delve's proc.Target).
 */
public interface Target extends AutoCloseable {
    /** Memory, through the fastest path available (core segments, process memory), gdb as the fallback. */
    Memory memory();

    /** Threads in the order the target gives them; for a core the first took the fatal signal. */
    List<ThreadContext> threads();

    /** Address of a symbol of the executable ("runtime.allgs"). */
    OptionalLong symbolAddress(String name);

    /** Size in bytes of a data symbol ("runtime.waitReasonStrings"), from the symbol table. */
    OptionalLong symbolSize(String name);

    TypeCatalog types();

    /**
     * The stack of thread {@code lwp} as gdb's own unwinder sees it, innermost first; empty when
     * the target has no such unwinder or the thread is unknown. Slow (one gdb round trip per
     * frame): only for a thread chanscope's own walk could not get through.
     */
    default java.util.List<NativeFrame> nativeFrames(int lwp) {
        return java.util.List.of();
    }

    /** The signal that ended the process (a core's first thread), or 0 when there is none. */
    int terminatingSignal();

    /**
     * The ELF {@code e_machine} of the program (62 amd64, 183 arm64): which frame layout, signal
     * frame and instruction set its stacks and code use. A live target is this machine's (amd64).
     */
    default int machine() {
        return 62;
    }

    /** The executable. */
    Path executable();

    /** One line saying what this is: "core file X (binary Y)". */
    String describe();

    @Override
    void close();
}
