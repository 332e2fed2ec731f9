package dev.chanscope.goruntime;

/**
 * A goroutine whose live stack holds a channel's address, directly or through one heap object.
 *
 * @param goroutineId  the goroutine
 * @param frame        the logical function whose frame holds it (innermost logical frame of that physical frame)
 * @param viaObject    0 when the stack word is the channel itself; else the heap object (a struct)
 *                     that holds the channel at {@code fieldOffset}
 */
public record ChannelHolder(long goroutineId, String frame, long viaObject, long fieldOffset) {
    public boolean direct() {
        return viaObject == 0;
    }

    public String describe() {
        return direct() ? "holds it in a local of " + frame
                : String.format("holds it through an object (field at +0x%x) from %s", fieldOffset, frame);
    }
}
