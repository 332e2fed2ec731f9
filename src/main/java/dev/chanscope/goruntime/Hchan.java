package dev.chanscope.goruntime;

import java.util.List;

/**
 * A decoded {@code runtime.hchan}.
 *
 * @param elemType     the element type's name as the runtime knows it ("main.Result", "int")
 * @param capacity     dataqsiz: 0 for an unbuffered channel
 * @param buffered     qcount: items sitting in the buffer
 * @param recvWaiters  goroutine ids parked in recvq
 * @param sendWaiters  goroutine ids parked in sendq
 * @param wokenSenders   goroutines that were blocked sending and were woken by the close (their
 *                       sudog on this channel has success == false); they will panic when scheduled
 * @param wokenReceivers goroutines woken by the close while receiving (they get the zero value)
 * @param wokenSelects   goroutines woken by the close while blocked in a select
 * @param foundBy      how the address was found ("chansend argument", "selectgo case", "stack scan")
 */
public record Hchan(long address, String elemType, long elemSize, long capacity, long buffered, boolean closed,
                    List<Long> recvWaiters, List<Long> sendWaiters, List<Long> wokenSenders,
                    List<Long> wokenReceivers, List<Long> wokenSelects, String foundBy) {}
