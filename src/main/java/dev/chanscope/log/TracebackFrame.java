package dev.chanscope.log;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One frame as the runtime printed it: {@code function(args)} then {@code \tfile:line +0xoff},
 * with {@code fp= sp= pc=} when the traceback level is system or crash (or the runtime is
 * throwing).
 *
 * @param function the name as printed: {@code runtime.gopanic} prints as {@code panic}, a generic
 *                 function's shape arguments as {@code [...]}
 * @param args     the text between the parentheses: {@code 0xc000010000, {0x4c07d0, 0x1}},
 *                 {@code ...} for an inlined call (no arguments printed)
 * @param offset   the {@code +0x..} offset of the PC from the start of the physical function;
 *                 absent for an inlined call, and for a PC at the function's entry
 */
public record TracebackFrame(String function, String args, String file, int line, OptionalLong offset,
                             OptionalLong fp, OptionalLong sp, OptionalLong pc) {

    /** The runtime prints no arguments for a call the compiler inlined into its caller. */
    public boolean inlined() {
        return args.equals("...");
    }

    /** The symbol's name: {@code panic} is how {@code printFuncName} shows {@code runtime.gopanic}. */
    public String symbol() {
        return function.equals("panic") ? "runtime.gopanic" : function;
    }

    /**
     * The first argument word when the runtime printed it as a plain value ({@code 0xc000126000}),
     * empty when it is a guess ({@code 0x4c07d0?}: the register ABI's spill slot may hold a stale
     * value), a component list ({@code {...}}), an unprinted dead argument ({@code _}) or absent.
     */
    public OptionalLong firstWord() {
        int end = args.indexOf(',');
        String w = (end < 0 ? args : args.substring(0, end)).strip();
        if (!w.startsWith("0x") || w.endsWith("?")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(w.substring(2), 16));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** "file:line". */
    public String location() {
        return file + ":" + line;
    }

    static Optional<Long> boxed(OptionalLong v) {
        return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
    }
}
