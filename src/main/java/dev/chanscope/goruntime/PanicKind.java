package dev.chanscope.goruntime;

/** What the panic message says, in the JSON's words. */
public enum PanicKind {
    SEND_ON_CLOSED("send-on-closed"),
    CLOSE_OF_CLOSED("close-of-closed"),
    CLOSE_OF_NIL("close-of-nil"),
    OTHER("other");

    private final String id;

    PanicKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean isChannelPanic() {
        return this != OTHER;
    }

    public static PanicKind of(String message) {
        return switch (message) {
            case "send on closed channel" -> SEND_ON_CLOSED;
            case "close of closed channel" -> CLOSE_OF_CLOSED;
            case "close of nil channel" -> CLOSE_OF_NIL;
            default -> OTHER;
        };
    }
}
