package dev.chanscope.binary;

/**
 * The case counts of a {@code select} statement as the compiler passes them to
 * runtime.selectgo ({@code nsends}, {@code nrecvs}; the default case is not counted).
 */
public record SelectShape(int sends, int receives) {
    public boolean hasSend() {
        return sends > 0;
    }
}
