package dev.chanscope.binary;

import java.util.List;
import java.util.Set;

/**
 * What the executable's code says about channels: where user code closes, sends and selects,
 * which goroutines the program starts ({@code go} statements) and which of those goroutine
 * roots can reach each closing site through direct calls.
 *
 * STUB: signatures are fixed; implementation to be filled in.
 */
public interface BinaryFacts {

    /** Every call site of a channel operation or newproc in user code (not in runtime, internal/, reflect itself). */
    List<CallSite> sites();

    default List<CallSite> sites(ChannelOp op) {
        return sites().stream().filter(s -> s.op() == op).toList();
    }

    /**
     * The goroutine roots from which {@code function} (a physical function name) is reachable by
     * direct calls: functions started by {@code go} statements (the go wrapper's callee), plus
     * "main.main" and package init functions as the root of the main goroutine.
     */
    Set<String> rootsReaching(String function);

    /** Physical functions that {@code function} calls directly. */
    Set<String> callees(String function);

    /** Physical functions that call {@code function} directly. */
    Set<String> callers(String function);

    /** True when the physical function makes calls we cannot follow (through registers: closures, interfaces, method values). */
    boolean hasIndirectCalls(String function);

    /** Human-readable notes on what could not be resolved (indirect calls, unknown go targets). */
    List<String> unresolved();
}
