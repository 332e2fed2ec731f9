package dev.chanscope.binary;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the channel of a {@code close(ch)}, {@code ch <- v} or select send case came from, as
 * far as the machine code of the function holding the call shows it (the channel is the first
 * integer argument: RAX on amd64). The expression is in terms of the <em>physical</em> function
 * (the pclntab function holding the CALL): when the operation is inlined, {@link Param} is a
 * parameter of the function it was inlined into, not of the function where it is written.
 * {@link BinaryFacts#channelOperand} gives it per call site; docs/binary-facts.md says how.
 */
public sealed interface ChannelOperand {

    /** A short text a reader can check against a disassembly ("Field(Param(0 of main.(*T).M), +0x20)"). */
    String describe();

    /** Nothing known: the channel came through a merge of different values, a call, an index, ... */
    record Unknown() implements ChannelOperand {
        @Override
        public String describe() {
            return "unknown";
        }
    }

    /**
     * Integer argument register {@code index} of {@code function} at its entry (ABIInternal:
     * amd64 RAX, RBX, RCX, RDI, RSI, R8-R11 in order); multi-word parameters take several, so
     * the index counts registers, not Go parameters.
     *
     * @param receiverType for index 0 of a pointer-receiver method {@code pkg.(*T).M}: {@code pkg.T}
     *                     (generic types in the printed form {@code pkg.T[...]}); else empty
     */
    record Param(int index, String function, Optional<String> receiverType) implements ChannelOperand {
        @Override
        public String describe() {
            return "Param(" + index + " of " + function + receiverType.map(t -> ", a *" + t).orElse("") + ")";
        }
    }

    /** The word at {@code base + offset}: a struct field, or the variable behind a pointer at offset 0. */
    record Field(ChannelOperand base, long offset) implements ChannelOperand {
        @Override
        public String describe() {
            return "Field(" + base.describe() + String.format(", +0x%x)", offset);
        }
    }

    /**
     * The word at {@code offset} of closure {@code closure}'s funcval (the context register at
     * its entry): a captured variable, by value, or by reference when the operand is
     * {@code Field(Captured, 0)}.
     *
     * @param origin what the function that builds the closure stored in that word, in that
     *               function's terms ({@link Unknown} when the construction was not found or
     *               its builders disagree)
     */
    record Captured(long offset, String closure, ChannelOperand origin) implements ChannelOperand {
        @Override
        public String describe() {
            return String.format("Captured(+0x%x of %s", offset, closure)
                    + (origin instanceof Unknown ? "" : " = " + origin.describe()) + ")";
        }
    }

    /**
     * A variable in {@code function}'s stack frame whose value the code does not show:
     * {@code frameOffset} from the frame's top (SP + frame size at the call, the return address
     * slot): negative for locals, 8 and up for the caller's argument area.
     */
    record Local(long frameOffset, String function) implements ChannelOperand {
        @Override
        public String describe() {
            return String.format("Local(%d in %s)", frameOffset, function);
        }
    }

    /** A package variable: the word at {@code address}, inside ELF symbol {@code symbol} ("" when none). */
    record Global(long address, String symbol) implements ChannelOperand {
        @Override
        public String describe() {
            return String.format("Global(0x%x%s)", address, symbol.isEmpty() ? "" : " " + symbol);
        }
    }

    /**
     * The result of the call at {@code pc} in the same function: {@code runtime.makechan} for
     * a channel made there.
     */
    record CallResult(long pc, String callee) implements ChannelOperand {
        @Override
        public String describe() {
            return String.format("CallResult(%s at 0x%x)", callee, pc);
        }
    }

    /**
     * The object {@code runtime.newobject} allocated at {@code pc}: a composite literal
     * {@code &T{...}}, or a variable moved to the heap (a closure then captures it by
     * reference). {@code type} is the name in the type descriptor passed to newobject
     * ("main.Collector"), "" when it could not be read.
     */
    record New(long pc, String type) implements ChannelOperand {
        @Override
        public String describe() {
            return String.format("New(%s at 0x%x)", type.isEmpty() ? "?" : type, pc);
        }
    }

    /** Unknown, shared. */
    ChannelOperand UNKNOWN = new Unknown();

    /**
     * This operand with every {@link Captured} whose origin is known replaced by that origin:
     * the expression in terms of the function that built the closures. Two operands that
     * resolve to the same value (not {@link Unknown}) name the same variable or field.
     */
    default ChannelOperand resolved() {
        if (this instanceof Captured c && !(c.origin() instanceof Unknown)) {
            return c.origin().resolved();
        }
        if (this instanceof Field f) {
            ChannelOperand b = f.base().resolved();
            return b == f.base() ? this : new Field(b, f.offset());
        }
        return this;
    }

    /** True when no part of this operand is {@link Unknown}. */
    default boolean known() {
        if (this instanceof Field f) {
            return f.base().known();
        }
        return !(this instanceof Unknown);
    }

    /**
     * For {@code Field(...Field(R, o1)..., on)} where R is a pointer to a known type T
     * (Param(0) of a pointer-receiver method of T, or an object newobject allocated as a T):
     * T and the offsets o1..on, outermost field first; empty for any other shape.
     */
    default Optional<FieldChain> fieldChain() {
        List<Long> offsets = new ArrayList<>();
        ChannelOperand o = this;
        while (o instanceof Field f) {
            offsets.add(0, f.offset());
            o = f.base();
        }
        if (offsets.isEmpty()) {
            return Optional.empty();
        }
        if (o instanceof Param p && p.index() == 0 && p.receiverType().isPresent()) {
            return Optional.of(new FieldChain(p.receiverType().get(), List.copyOf(offsets)));
        }
        if (o instanceof New n && !n.type().isEmpty()) {
            return Optional.of(new FieldChain(n.type(), List.copyOf(offsets)));
        }
        return Optional.empty();
    }

    /** A chain of field offsets from a pointer to a {@code receiverType} (a method receiver, or a new object). */
    record FieldChain(String receiverType, List<Long> offsets) {
        public String describe() {
            StringBuilder b = new StringBuilder(receiverType);
            for (long o : offsets) {
                b.append(String.format("+0x%x", o));
            }
            return b.toString();
        }
    }
}
