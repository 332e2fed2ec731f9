// manyt keeps N OS threads alive (goroutines locked to their threads, each parked in a channel
// receive, so every thread sleeps in the runtime), then dies with "send on closed channel": a
// core with N threads and few goroutines, to measure what each thread costs.
package main

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	block := make(chan int)
	var started sync.WaitGroup
	for i := 0; i < n; i++ {
		started.Add(1)
		go func() {
			// A locked goroutine that parks keeps its thread to itself: the thread sleeps.
			runtime.LockOSThread()
			started.Done()
			<-block
		}()
	}
	started.Wait()
	time.Sleep(200 * time.Millisecond)
	results := make(chan int)
	close(results)
	results <- 1
}
