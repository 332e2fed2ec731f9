package dev.chanscope.binary;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the executable's code says about channels: where user code closes, sends and selects,
 * which goroutines the program starts ({@code go} statements) and which of those goroutine
 * roots can reach each closing site through direct calls.
 *
 * <p>Implemented by {@link ScannedBinary} ({@link BinaryScanner#scan}); docs/binary-facts.md
 * says how each fact is found and what it cannot see. Function names are physical names as
 * the pclntab stores them (generic functions with their shape arguments); {@link CallSite#source()}
 * uses the runtime's printed form ("[...]").
 */
public interface BinaryFacts {

    /**
     * Every call site of a channel operation or newproc in user code (not in runtime, internal/,
     * reflect itself), in address order. The standard library's sites are included: tell them
     * apart with {@link #isUserFunction}.
     */
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

    /** {@link #rootsReaching(String)} of the physical function holding the site. */
    default Set<String> rootsReaching(CallSite site) {
        return rootsReaching(site.physical());
    }

    /**
     * Physical functions that {@code function} calls directly, or runs through a defer or a
     * function value it creates ({@link CallGraph.EdgeKind} tells which, in
     * {@link ScannedBinary#graph()}).
     */
    Set<String> callees(String function);

    /** The reverse of {@link #callees}: physical functions that call {@code function} directly (or may run it). */
    Set<String> callers(String function);

    /** True when the physical function makes calls we cannot follow (through registers: closures, interfaces, method values). */
    boolean hasIndirectCalls(String function);

    /** Human-readable notes on what could not be resolved (indirect calls, unknown go targets). */
    List<String> unresolved();

    /** {@link #unresolved()} with kinds and positions. */
    default List<Unresolved> unresolvedDetails() {
        return List.of();
    }

    /**
     * Every goroutine root: main.main, package init functions, and one per resolved {@code go}
     * statement outside the runtime. {@link GoRoot#name()} is what {@link #rootsReaching}
     * reports; {@link GoRoot#start()} is the function a goroutine's {@code g.startpc} names.
     */
    default List<GoRoot> goRoots() {
        return List.of();
    }

    /**
     * The root for a goroutine that started in {@code startFunction} (the function of its
     * {@code g.startpc}, e.g. "main.main.gowrap1"): use its {@link GoRoot#name()} to compare a
     * live goroutine with {@link #rootsReaching}.
     */
    default Optional<GoRoot> rootStartingIn(String startFunction) {
        return Optional.empty();
    }

    /** For a {@link ChannelOp#SELECT} site: how many send and receive cases the select has, when the code shows it. */
    default Optional<SelectShape> selectShape(CallSite site) {
        return Optional.empty();
    }

    /**
     * Where the channel of a {@link ChannelOp#CLOSE}, {@link ChannelOp#SEND} or
     * {@link ChannelOp#SELECT_NB_SEND} site (runtime.closechan, chansend1, selectnbsend) came
     * from, in terms of the physical function holding the call; for a {@link ChannelOp#SELECT}
     * site with exactly one send case, that case's channel. Empty for other sites and for the
     * reflect entry points; {@link ChannelOperand.Unknown} when the code does not show it.
     */
    default Optional<ChannelOperand> channelOperand(CallSite site) {
        return Optional.empty();
    }

    /** For a runtime.selectgo site: the channel of each send case, in case order; empty when unknown. */
    default List<ChannelOperand> selectSendOperands(CallSite site) {
        return List.of();
    }

    /**
     * The channels a physical function checks with a non-blocking receive
     * ({@code select { case <-ch: ... default: }}, runtime.selectnbrecv), one per call, in no
     * particular order; empty when it makes none or the scan did not compute them.
     */
    default List<ChannelOperand> nonBlockingReceives(String physicalFunction) {
        return List.of();
    }

    /**
     * True for the program's own code (package main, its module and dependencies, by the
     * binary's build info); false for the standard library and the runtime. The default,
     * without build info, takes every package the toolchain does not ship for the program's.
     */
    default boolean isUserFunction(String function) {
        return new GoPackages(List.of()).origin(function) == GoPackages.Origin.USER;
    }

    /**
     * The control flow of a physical function's machine code, decoded on demand while the
     * executable is open; empty when it is not known (no such function, or the file is closed).
     */
    default java.util.Optional<FunctionFlow> flow(String physicalFunction) {
        return Optional.empty();
    }

    /** The physical function holding {@code pc}, when the pclntab knows it. */
    default Optional<String> functionAt(long pc) {
        return Optional.empty();
    }

    /** The logical functions at {@code pc}, innermost first (inlined calls expanded); empty when unknown. */
    default List<String> logicalAt(long pc) {
        return List.of();
    }
}
