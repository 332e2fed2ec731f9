package dev.chanscope.batch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Cores grouped by root cause ({@link Signature}), most frequent first, then the cores that
 * could not be analyzed, grouped by their error with the parts that name one core (its path,
 * build ids, numbers) masked. Depends only on the outcomes, never on the order they arrived
 * in, so the summary of a batch, of the same batch run in shards and merged, and of a resumed
 * batch are equal.
 *
 * @param cores    every core
 * @param statuses cores per status (every status present, zero when none)
 * @param groups   analyzed cores by signature
 * @param errors   error and timeout cores by status and masked message
 */
public record Summary(int cores, Map<Status, Integer> statuses, List<Group> groups, List<ErrorGroup> errors) {
    /** Example cores shown per group. */
    public static final int EXAMPLES = 3;

    /** @param meanConfidence of the diagnoses in the group, rounded to 2 places; empty without diagnoses */
    public record Group(Signature signature, int count, OptionalDouble meanConfidence, List<String> examples) {}

    /** @param message the first core's error with its path, ids and numbers masked */
    public record ErrorGroup(Status status, String message, int count, List<String> examples) {}

    public static Summary of(Collection<CoreOutcome> all) {
        // Files that are not cores have their own lines (status skipped) but are not cores.
        List<CoreOutcome> outcomes = all.stream().filter(o -> o.status() != Status.SKIPPED).toList();
        Map<Status, Integer> statuses = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            if (s != Status.SKIPPED) {
                statuses.put(s, 0);
            }
        }
        Map<Signature, List<CoreOutcome>> bySig = new TreeMap<>();
        Map<String, List<CoreOutcome>> byError = new TreeMap<>();
        for (CoreOutcome o : outcomes) {
            statuses.merge(o.status(), 1, Integer::sum);
            if (o.signature().isPresent()) {
                bySig.computeIfAbsent(o.signature().get(), k -> new ArrayList<>()).add(o);
            } else {
                byError.computeIfAbsent(o.status().id() + "\u0000" + mask(o.error().orElse(""), o.core()),
                        k -> new ArrayList<>()).add(o);
            }
        }
        List<Group> groups = new ArrayList<>();
        bySig.forEach((sig, l) -> groups.add(new Group(sig, l.size(), mean(l), examples(l))));
        groups.sort(Comparator.comparingInt(Group::count).reversed().thenComparing(Group::signature));
        List<ErrorGroup> errors = new ArrayList<>();
        byError.forEach((key, l) -> {
            int cut = key.indexOf('\u0000');
            errors.add(new ErrorGroup(Status.of(key.substring(0, cut)).orElseThrow(), key.substring(cut + 1), l.size(),
                    examples(l)));
        });
        errors.sort(Comparator.comparingInt(ErrorGroup::count).reversed()
                .thenComparing(ErrorGroup::status).thenComparing(ErrorGroup::message));
        return new Summary(outcomes.size(), Map.copyOf(statuses), List.copyOf(groups), List.copyOf(errors));
    }

    /** True when every core is {@link Status#OK}. */
    public boolean allOk() {
        return statuses.get(Status.OK) == cores;
    }

    /** "57 cores: 50 ok, 3 partial, 3 error, 1 timeout" (statuses with no core left out). */
    public String headline() {
        List<String> parts = new ArrayList<>();
        for (Status s : Status.values()) {
            if (statuses.getOrDefault(s, 0) > 0) {
                parts.add(statuses.get(s) + " " + s.id());
            }
        }
        return cores + (cores == 1 ? " core" : " cores") + (parts.isEmpty() ? "" : ": " + String.join(", ", parts));
    }

    private static OptionalDouble mean(List<CoreOutcome> l) {
        double sum = 0;
        int n = 0;
        for (CoreOutcome o : l) {
            if (o.confidence().isPresent()) {
                sum += o.confidence().getAsDouble();
                n++;
            }
        }
        return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(Math.round(sum / n * 100) / 100.0);
    }

    private static List<String> examples(List<CoreOutcome> l) {
        return l.stream().map(CoreOutcome::core).sorted().distinct().limit(EXAMPLES).toList();
    }

    /**
     * "no binary for core a/core.7 (Go build id Xy.../Zw...)" and the same for b/core.9 are one
     * problem: mask the core's path, build ids, addresses and numbers.
     */
    static String mask(String error, String core) {
        String m = core.isEmpty() ? error : error.replace(core, "CORE");
        m = m.replaceAll("(build id) [^,;)\\s]+", "$1 ID");
        return Signature.maskNumbers(m);
    }
}
