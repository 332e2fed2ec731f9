package dev.chanscope.diagnose;

/** The verdicts of TAXONOMY.md, as they appear in {@code diagnosis.pattern}. */
public enum Pattern {
    MULTI_CLOSER("multi-closer", "two or more goroutines can close the channel"),
    SEND_THEN_CLOSE("send-then-close", "a sender closes the channel after its own sends while other senders still send"),
    DOUBLE_CLOSE("double-close", "the channel is closed twice by goroutines that do not send on it"),
    PREMATURE_CLOSE("premature-close", "the channel was closed before its senders were done"),
    SELECT_CLOSE("select-close", "the close sits in a select branch"),
    DEFER_CLOSE("defer-close", "a deferred close ran while senders were still sending"),
    CLOSE_OF_NIL("close-of-nil", "a channel that was never made was closed"),
    NOT_CHANNEL_PANIC("not-channel-panic", "the crash is not a channel panic"),
    UNDETERMINED("undetermined", "the evidence does not decide between patterns");

    private final String id;
    private final String summary;

    Pattern(String id, String summary) {
        this.id = id;
        this.summary = summary;
    }

    public String id() {
        return id;
    }

    public String summary() {
        return summary;
    }
}
