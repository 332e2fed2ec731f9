// manyg parks N goroutines in channel operations and selects at varying stack depths, then
// dies with "send on closed channel": the shape of a large service's crash, for benchmarks.
package main

import (
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

func depth(n int, f func()) {
	if n == 0 {
		f()
		return
	}
	depth(n-1, f)
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	// Separate channels for receivers and senders, so that none pair off and exit.
	recvOnly := make(chan int)
	sendOnly := make(chan int)
	done := make(chan struct{})
	var started atomic.Int64
	for i := 0; i < n; i++ {
		i := i
		go depth(i%20, func() {
			started.Add(1)
			switch i % 3 {
			case 0:
				<-recvOnly
			case 1:
				sendOnly <- i
			default:
				select {
				case <-done:
				case v := <-recvOnly:
					_ = v
				}
			}
		})
	}
	// Wait until every goroutine has started (and so is about to park), then a little more.
	for started.Load() < int64(n) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	results := make(chan int)
	close(results)
	results <- 1
}
