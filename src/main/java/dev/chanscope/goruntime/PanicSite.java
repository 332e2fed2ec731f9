package dev.chanscope.goruntime;

/**
 * Which runtime check raised a channel panic. Told apart by the panicking frame's line relative
 * to the structure of the runtime function itself (where it calls gopark), never by a fixed
 * line number.
 */
public enum PanicSite {
    /** chansend found the channel closed when the send started: a late sender. */
    CHANSEND_FIRST_CHECK("chansend-first-check"),
    /** chansend was parked on the channel and the close woke it. */
    CHANSEND_AFTER_PARK("chansend-after-park"),
    /** a send case of a blocking select found the channel closed. */
    SELECTGO("selectgo"),
    /** a select with one send case and a default (compiled to selectnbsend). */
    SELECTNBSEND("selectnbsend"),
    /** close(ch) on a closed or nil channel. */
    CLOSECHAN("closechan"),
    OTHER("other");

    private final String id;

    PanicSite(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
