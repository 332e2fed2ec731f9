package dev.chanscope.goruntime;

/**
 * A goroutine's scheduling state. The runtime's own name for it (from
 * {@code runtime.gStatusStrings} in the target) is kept as {@code name}; {@code kind}
 * classifies it for the analysis.
 */
public record GoStatus(int value, String name, Kind kind, boolean scan) {
    public enum Kind { IDLE, RUNNABLE, RUNNING, SYSCALL, WAITING, DEAD, COPYSTACK, PREEMPTED, OTHER }
}
