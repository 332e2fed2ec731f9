package dev.chanscope.binary;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who may call whom, between physical functions by name. Names are not unique in a binary (an
 * assembly function and its ABIInternal wrapper share one); they share a node here.
 */
public final class CallGraph {

    /** Why one function leads to another. */
    public enum EdgeKind {
        /** a direct CALL */
        CALL,
        /** a direct JMP to another function's entry (a tail call in assembly or a wrapper) */
        TAIL_CALL,
        /** an open-coded defer: the call at the function's exits through the closure in its defer slot */
        DEFERRED,
        /** a go wrapper calls the closure its go statement captured (resolved indirect call) */
        CLOSURE,
        /**
         * the caller's code materialises the callee's entry or funcval (LEAQ) without it being a
         * go statement's target: a deferred call (deferwrapN or funcN, run at return by
         * deferreturn or an open-coded defer), a closure or method value it calls or hands on;
         * also from a goroutine's start function to the funcvals its go statement passed it
         */
        ADDRESS_TAKEN
    }

    private final Map<String, Map<String, EdgeKind>> out = new HashMap<>();
    private final Map<String, Set<String>> in = new HashMap<>();
    private int edges;

    void add(String from, String to, EdgeKind kind) {
        Map<String, EdgeKind> m = out.computeIfAbsent(from, k -> new HashMap<>());
        EdgeKind old = m.get(to);
        if (old == null) {
            edges++;
        }
        // Keep the most direct reason when there are several.
        m.put(to, old == null || kind.ordinal() < old.ordinal() ? kind : old);
        in.computeIfAbsent(to, k -> new HashSet<>()).add(from);
    }

    public Set<String> callees(String function) {
        Map<String, EdgeKind> m = out.get(function);
        return m == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(m.keySet()));
    }

    public Set<String> callers(String function) {
        Set<String> s = in.get(function);
        return s == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(s));
    }

    /** The edges out of {@code function} with their kinds, sorted by callee. */
    public Map<String, EdgeKind> edgesFrom(String function) {
        Map<String, EdgeKind> m = out.get(function);
        return m == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m));
    }

    public int edgeCount() {
        return edges;
    }

    /** {@code function} and every function from which it is reachable. */
    Set<String> ancestors(String function) {
        Set<String> seen = new HashSet<>();
        Deque<String> work = new ArrayDeque<>();
        seen.add(function);
        work.add(function);
        while (!work.isEmpty()) {
            for (String c : in.getOrDefault(work.poll(), Set.of())) {
                if (seen.add(c)) {
                    work.add(c);
                }
            }
        }
        return seen;
    }
}
