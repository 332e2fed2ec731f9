package dev.chanscope.binary;

import java.util.List;

/**
 * One call from user code into a channel operation or {@code newproc}.
 *
 * @param pc        address of the CALL instruction
 * @param op        what is called
 * @param callee    the called symbol ("runtime.closechan", "reflect.chanclose", ...)
 * @param physical  the machine function that holds the CALL ("main.(*Conn).Shutdown")
 * @param source    the innermost logical position (after inline expansion): where {@code close(ch)} is written
 * @param inlinedInto the logical call chain from source outward to the physical function (empty when not inlined)
 * @param wrapper   the kind of compiler wrapper the physical function is
 * @param goTarget  for {@link ChannelOp#GO}: the function the goroutine starts in, when it could be resolved
 */
public record CallSite(long pc, ChannelOp op, String callee, String physical, SourcePos source,
                       List<SourcePos> inlinedInto, Wrapper wrapper, java.util.Optional<String> goTarget) {

    /** What kind of compiler-generated function holds a call. */
    public enum Wrapper {
        NONE,
        /** {@code defer f(x)} compiled to {@code pkg.f.deferwrapN} (Go 1.22+). */
        DEFER_WRAPPER,
        /** {@code go f(x)} compiled to {@code pkg.f.gowrapN} (Go 1.22+). */
        GO_WRAPPER,
        /** a closure {@code pkg.f.funcN}: before 1.22 also what defer/go wrappers were called */
        CLOSURE
    }
}
