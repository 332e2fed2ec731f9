package dev.chanscope.goruntime;

/**
 * One logical frame of a goroutine's stack, as the runtime's traceback would print it.
 *
 * @param function Go symbol name ("main.(*Pool).Wait", "runtime.gopanic")
 * @param pc       the physical frame's PC (a return address except for the innermost/trapping frame)
 * @param sp       the physical frame's SP
 * @param inlined  the compiler inlined this call into the next frame (same pc and sp)
 */
public record Frame(String function, String file, int line, long pc, long sp, boolean inlined) {
    /** "file:line". */
    public String location() {
        return file + ":" + line;
    }
}
