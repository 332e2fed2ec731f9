package dev.chanscope.goruntime;

/**
 * One logical frame of a goroutine's stack, as the runtime's traceback would print it.
 *
 * @param function Go symbol name ("main.(*Pool).Wait", "runtime.gopanic")
 * @param pc       the physical frame's PC (a return address except for the innermost/trapping frame)
 * @param inlined  the compiler inlined this call into the next frame (same pc)
 *
 * <p>No stack address: a logical frame depends only on its pc, so goroutines parked at the same
 * calls share the same frame objects ({@link StackUnwinder}); the stack addresses are the
 * {@link PhysicalFrame}'s.
 */
public record Frame(String function, String file, int line, long pc, boolean inlined) {
    /** "file:line". */
    public String location() {
        return file + ":" + line;
    }
}
