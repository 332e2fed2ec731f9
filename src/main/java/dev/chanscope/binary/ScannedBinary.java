package dev.chanscope.binary;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The facts {@link BinaryScanner} found in one executable. Immutable; safe for concurrent use. */
public final class ScannedBinary implements BinaryFacts {
    private final List<CallSite> sites;
    private final CallGraph graph;
    private final List<GoRoot> roots;
    private final Map<String, List<GoRoot>> rootsByStart = new HashMap<>();
    private final List<Unresolved> unresolved;
    private final Map<Long, SelectShape> selects;
    private final Set<String> indirectCallers;
    private final GoPackages packages;
    private final Optional<BuildInfo> buildInfo;
    private final ScanStats stats;
    private final Map<String, Set<String>> reachingMemo = new ConcurrentHashMap<>();
    private final Map<Long, ChannelOperand> operands;
    private final Map<Long, List<ChannelOperand>> selectSends;
    private final Map<String, List<ChannelOperand>> receiveChecks;
    /** Decodes a function's control flow on demand (set by the scanner; empty once the file is closed). */
    private volatile java.util.function.Function<String, Optional<FunctionFlow>> flowSource = f -> Optional.empty();
    private volatile java.util.function.LongFunction<Optional<String>> names = pc -> Optional.empty();
    private volatile java.util.function.LongFunction<List<String>> logical = pc -> List.of();
    private final Map<String, Optional<FunctionFlow>> flowMemo = new ConcurrentHashMap<>();

    ScannedBinary(List<CallSite> sites, CallGraph graph, List<GoRoot> roots, List<Unresolved> unresolved,
                  Map<Long, SelectShape> selects, Set<String> indirectCallers, GoPackages packages,
                  Optional<BuildInfo> buildInfo, ScanStats stats, Map<Long, ChannelOperand> operands,
                  Map<Long, List<ChannelOperand>> selectSends, Map<String, List<ChannelOperand>> receiveChecks) {
        this.operands = operands;
        this.selectSends = selectSends;
        this.receiveChecks = receiveChecks;
        this.sites = sites;
        this.graph = graph;
        this.roots = roots;
        this.unresolved = unresolved;
        this.selects = selects;
        this.indirectCallers = indirectCallers;
        this.packages = packages;
        this.buildInfo = buildInfo;
        this.stats = stats;
        for (GoRoot r : roots) {
            rootsByStart.computeIfAbsent(r.start(), k -> new java.util.ArrayList<>()).add(r);
        }
    }

    @Override
    public List<CallSite> sites() {
        return sites;
    }

    @Override
    public Set<String> rootsReaching(String function) {
        return reachingMemo.computeIfAbsent(function, f -> {
            Set<String> out = new TreeSet<>();
            for (String a : graph.ancestors(f)) {
                for (GoRoot r : rootsByStart.getOrDefault(a, List.of())) {
                    out.add(r.name());
                }
            }
            return Collections.unmodifiableSet(out);
        });
    }

    @Override
    public Set<String> callees(String function) {
        return graph.callees(function);
    }

    @Override
    public Set<String> callers(String function) {
        return graph.callers(function);
    }

    @Override
    public boolean hasIndirectCalls(String function) {
        return indirectCallers.contains(function);
    }

    @Override
    public List<String> unresolved() {
        return unresolved.stream().map(Unresolved::describe).toList();
    }

    @Override
    public List<Unresolved> unresolvedDetails() {
        return unresolved;
    }

    @Override
    public List<GoRoot> goRoots() {
        return roots;
    }

    @Override
    public Optional<GoRoot> rootStartingIn(String startFunction) {
        List<GoRoot> l = rootsByStart.get(startFunction);
        return l == null ? Optional.empty() : Optional.of(l.get(0));
    }

    @Override
    public Optional<SelectShape> selectShape(CallSite site) {
        return Optional.ofNullable(selects.get(site.pc()));
    }

    @Override
    public Optional<ChannelOperand> channelOperand(CallSite site) {
        ChannelOperand o = operands.get(site.pc());
        if (o != null) {
            return Optional.of(o);
        }
        List<ChannelOperand> sends = selectSends.get(site.pc());
        return sends != null && sends.size() == 1 ? Optional.of(sends.get(0)) : Optional.empty();
    }

    @Override
    public List<ChannelOperand> selectSendOperands(CallSite site) {
        return selectSends.getOrDefault(site.pc(), List.of());
    }

    @Override
    public List<ChannelOperand> nonBlockingReceives(String physicalFunction) {
        return receiveChecks.getOrDefault(physicalFunction, List.of());
    }

    @Override
    public boolean isUserFunction(String function) {
        return packages.origin(function) == GoPackages.Origin.USER;
    }

    public GoPackages.Origin origin(String function) {
        return packages.origin(function);
    }

    /** The call graph with edge kinds. */
    public CallGraph graph() {
        return graph;
    }

    public Optional<BuildInfo> buildInfo() {
        return buildInfo;
    }

    public ScanStats stats() {
        return stats;
    }

    void flowSource(java.util.function.Function<String, Optional<FunctionFlow>> source,
                    java.util.function.LongFunction<Optional<String>> names,
                    java.util.function.LongFunction<List<String>> logical) {
        this.flowSource = source;
        this.names = names;
        this.logical = logical;
    }

    @Override
    public List<String> logicalAt(long pc) {
        try {
            return logical.apply(pc);
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public Optional<FunctionFlow> flow(String physicalFunction) {
        Optional<FunctionFlow> f = flowMemo.get(physicalFunction);
        if (f != null) {
            return f;
        }
        try {
            f = flowSource.apply(physicalFunction);
        } catch (RuntimeException e) {
            return Optional.empty(); // the executable was closed after the scan
        }
        flowMemo.put(physicalFunction, f);
        return f;
    }

    @Override
    public Optional<String> functionAt(long pc) {
        return names.apply(pc);
    }
}
