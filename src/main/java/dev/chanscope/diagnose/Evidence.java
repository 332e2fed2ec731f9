package dev.chanscope.diagnose;

/**
 * One fact the verdict rests on, in words a reader can check against the core.
 *
 * @param kind   a stable identifier ("closer-is-deferred", "holder-stack", ...) for tools
 * @param weight how much it counts: DECISIVE facts alone settle a rule, SUPPORTING ones add up,
 *               AGAINST ones lower the confidence
 */
public record Evidence(String kind, String text, Weight weight) {
    public enum Weight { DECISIVE, STRONG, SUPPORTING, AGAINST }
}
