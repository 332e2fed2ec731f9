package dev.chanscope.binary;

import java.util.Map;
import java.util.Optional;

/**
 * The functions whose call sites are channel operations. The compiler lowers {@code close(ch)}
 * to runtime.closechan, {@code ch <- v} to runtime.chansend1, a select with one send case and
 * a default to runtime.selectnbsend, any other select with two or more cases to
 * runtime.selectgo, and {@code go f()} to runtime.newproc (cmd/compile/internal/walk,
 * Go 1.22 and 1.26 alike). The reflect twins: user code calls reflect.Value.Close/Send/TrySend
 * and reflect.Select, which reach the runtime's reflect_chanclose, reflect_chansend
 * (linknamed reflect.chanclose, reflect.chansend0) and reflect_rselect (reflect.rselect);
 * the inner names are listed too for calls inlined into user code.
 */
final class ChannelCallees {
    private static final Map<String, ChannelOp> OPS = Map.ofEntries(
            Map.entry("runtime.closechan", ChannelOp.CLOSE),
            Map.entry("reflect.chanclose", ChannelOp.CLOSE),
            Map.entry("reflect.Value.Close", ChannelOp.CLOSE),
            Map.entry("runtime.chansend1", ChannelOp.SEND),
            Map.entry("reflect.chansend", ChannelOp.SEND),
            Map.entry("reflect.chansend0", ChannelOp.SEND),
            Map.entry("reflect.Value.Send", ChannelOp.SEND),
            Map.entry("runtime.selectnbsend", ChannelOp.SELECT_NB_SEND),
            Map.entry("reflect.Value.TrySend", ChannelOp.SELECT_NB_SEND),
            Map.entry("runtime.selectgo", ChannelOp.SELECT),
            Map.entry("reflect.rselect", ChannelOp.SELECT),
            Map.entry("reflect.Select", ChannelOp.SELECT),
            Map.entry("runtime.newproc", ChannelOp.GO));

    private ChannelCallees() {
    }

    static Optional<ChannelOp> op(String callee) {
        return Optional.ofNullable(OPS.get(callee));
    }
}
