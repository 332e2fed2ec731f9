// Command live-blocked is the no-panic program of chanscope's attach tests: a
// small ingest service whose goroutines sit blocked on channels in the ways an
// on-call engineer meets them, until a line arrives on stdin. Then it unblocks
// everything in a fixed order and prints a deterministic summary, so a test can
// check that attaching and detaching left the process able to finish correctly.
//
// While waiting for stdin:
//   - producer: blocked sending the 4th job on the full buffered channel jobs (cap 3);
//   - collector x2: blocked receiving from the unbuffered channel results;
//   - dispatcher: blocked in a select receiving from control or ticks;
//   - notifier: blocked receiving from alerts; it holds quit, which main has
//     already closed, in a local and has a send on it in its code;
//   - relay: blocked receiving from in; its *stream (on its stack) holds out,
//     which is closed, and relay sends on it;
//   - locker: blocked on a sync.Mutex (not a channel wait);
//   - spinner: computing (running or runnable), checking that the same work
//     gives the same answer every round.
//
// main runs two garbage collections after the goroutines blocked, then prints
// "ready": the runtime records when a goroutine blocked (g.waitsince) only at
// the second GC that finds it blocked, with the time the first one ended.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

type job struct {
	id   int
	name string
}

type result struct {
	job   int
	value int
}

type stream struct {
	name string
	out  chan int
}

var (
	wg       sync.WaitGroup
	mu       sync.Mutex
	released atomic.Bool
	lines    = make(chan string, 16)
)

func say(format string, args ...any) { lines <- fmt.Sprintf(format, args...) }

func producer(jobs chan<- job) {
	defer wg.Done()
	for i := 1; i <= 4; i++ {
		jobs <- job{id: i, name: fmt.Sprintf("job-%d", i)}
	}
}

func collector(results <-chan result, sum *atomic.Int64) {
	defer wg.Done()
	r := <-results
	sum.Add(int64(r.value))
}

func dispatcher(control <-chan string, ticks <-chan int) {
	defer wg.Done()
	select {
	case c := <-control:
		say("dispatcher: control %s", c)
	case t := <-ticks:
		say("dispatcher: tick %d", t)
	}
}

//go:noinline
func notifier(quit chan struct{}, alerts <-chan int) {
	defer wg.Done()
	n := 0
	for v := range alerts {
		if v < 0 {
			quit <- struct{}{} // would panic: quit is closed
		}
		n += v
	}
	say("notifier: %d", n)
}

//go:noinline
func relay(s *stream, in <-chan int) {
	defer wg.Done()
	n := 0
	for v := range in {
		if v < 0 {
			s.out <- v // would panic: out is closed
		}
		n++
	}
	say("relay %s: %d", s.name, n)
}

func locker() {
	defer wg.Done()
	mu.Lock()
	say("locker: got the lock")
	mu.Unlock()
}

// spin does a fixed amount of work; every round must give the same answer.
func spin(done chan<- string) {
	var first uint64
	rounds := 0
	ok := true
	for !released.Load() || rounds == 0 {
		x := uint64(88172645463325252)
		for i := 0; i < 2_000_000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		if rounds == 0 {
			first = x
		} else if x != first {
			ok = false
		}
		rounds++
	}
	done <- fmt.Sprintf("spinner: %#x ok=%v", first, ok)
}

func main() {
	jobs := make(chan job, 3)
	results := make(chan result)
	control := make(chan string)
	ticks := make(chan int)
	quit := make(chan struct{})
	alerts := make(chan int, 2)
	in := make(chan int)
	s := &stream{name: "metrics", out: make(chan int, 5)}
	spun := make(chan string, 1)
	var sum atomic.Int64

	mu.Lock()
	wg.Add(7)
	go producer(jobs)
	go collector(results, &sum)
	go collector(results, &sum)
	go dispatcher(control, ticks)
	go notifier(quit, alerts)
	go relay(s, in)
	go locker()
	go spin(spun)
	s.out <- 1
	close(s.out)
	close(quit)

	time.Sleep(200 * time.Millisecond)
	runtime.GC()
	runtime.GC() // sets g.waitsince of the blocked goroutines
	fmt.Println("ready")

	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Println("stdin:", err)
		os.Exit(1)
	}
	released.Store(true)

	var got []int
	for i := 0; i < 4; i++ {
		got = append(got, (<-jobs).id)
	}
	results <- result{job: 1, value: 10}
	results <- result{job: 2, value: 32}
	control <- "stop"
	alerts <- 5
	alerts <- 2
	close(alerts)
	in <- 1
	in <- 2
	close(in)
	mu.Unlock()
	wg.Wait()
	close(lines)

	var said []string
	for l := range lines {
		said = append(said, l)
	}
	sort.Strings(said)
	fmt.Println("jobs:", got)
	fmt.Println("collected:", sum.Load())
	for _, l := range said {
		fmt.Println(l)
	}
	fmt.Println(<-spun)
	fmt.Println("done")
}
