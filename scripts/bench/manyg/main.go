// manyg parks N goroutines in channel operations and selects at varying stack depths, then
// dies with "send on closed channel": the shape of a large service's crash, for benchmarks.
package main

import (
	"os"
	"strconv"
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
	block := make(chan int)
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		i := i
		go depth(i%20, func() {
			switch i % 3 {
			case 0:
				<-block
			case 1:
				block <- i
			default:
				select {
				case <-done:
				case v := <-block:
					_ = v
				}
			}
		})
	}
	time.Sleep(time.Duration(n/2000+200) * time.Millisecond)
	results := make(chan int)
	close(results)
	results <- 1
}
