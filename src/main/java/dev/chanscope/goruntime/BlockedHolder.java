package dev.chanscope.goruntime;

import java.util.List;

/**
 * A goroutine that still holds a pointer to a closed channel.
 *
 * @param goroutine  its id
 * @param state      what it is doing ("chan receive", "running")
 * @param function   the function whose stack frame holds the pointer
 * @param via        "stack slot 0x..." when the frame holds the channel itself, "field +N of
 *                   object 0x... (stack slot 0x...)" when it holds a pointer to an object whose
 *                   field is the channel
 * @param senders    functions on its stack whose code sends on a channel (calls
 *                   runtime.chansend1 or runtime.selectnbsend): it could send on the closed
 *                   channel and panic. Empty: no send in its stack's code.
 */
public record BlockedHolder(long goroutine, String state, String function, String via, List<String> senders) {
    public boolean couldSend() {
        return !senders.isEmpty();
    }
}
