package dev.chanscope.binary;

/** The runtime entry points a call site can reach. */
public enum ChannelOp {
    /** runtime.closechan (and reflect.chanclose): {@code close(ch)}. */
    CLOSE,
    /** runtime.chansend1 (and reflect.chansend): {@code ch <- v}. */
    SEND,
    /** runtime.selectnbsend: {@code select { case ch <- v: default: }}. */
    SELECT_NB_SEND,
    /** runtime.selectgo (and reflect.rselect): a select with two or more cases. */
    SELECT,
    /** runtime.newproc: a {@code go} statement. */
    GO
}
