// Command pool-reaper-signal models a worker pool whose job queue has two
// closers: an idle reaper that closes it after a quiet period and exits, and
// a signal handler that closes it on SIGTERM to drain the pool. The producer
// pauses on a slow upstream longer than the idle limit, the reaper closes the
// queue and returns, and the producer's next submit panics with "send on
// closed channel". The signal handler is still waiting for a signal, before
// its close, when the process dies.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Job is one unit of work.
type Job struct {
	ID      int
	Payload string
}

// Pool runs jobs on a fixed set of workers.
type Pool struct {
	jobs chan Job

	mu   sync.Mutex
	last time.Time
	done int
}

func (p *Pool) touch() {
	p.mu.Lock()
	p.last = time.Now()
	p.mu.Unlock()
}

func (p *Pool) idleFor() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Since(p.last)
}

// Submit queues a job.
func (p *Pool) Submit(j Job) {
	p.touch()
	p.jobs <- j // truth:sender truth:victim
}

func (p *Pool) worker() {
	for j := range p.jobs {
		time.Sleep(time.Duration(len(j.Payload)) * 100 * time.Microsecond)
		p.mu.Lock()
		p.done++
		p.mu.Unlock()
	}
}

// reaper shuts the pool down after it has been idle for limit.
func (p *Pool) reaper(limit time.Duration) {
	for {
		time.Sleep(limit / 4)
		if idle := p.idleFor(); idle > limit {
			fmt.Printf("pool idle for %v, shutting down\n", idle.Round(time.Millisecond))
			close(p.jobs) // truth:closer
			return
		}
	}
}

// drainOnSignal shuts the pool down on SIGTERM.
func (p *Pool) drainOnSignal(sigs <-chan os.Signal) {
	sig := <-sigs
	fmt.Printf("got %v, draining\n", sig)
	close(p.jobs) // truth:closer
}

func produce(p *Pool) {
	for i := 0; ; i++ {
		if i == 20 {
			time.Sleep(120 * time.Millisecond) // the upstream feed stalls
		}
		p.Submit(Job{ID: i, Payload: fmt.Sprintf("resize image %d", i)})
		time.Sleep(time.Millisecond)
	}
}

func main() {
	p := &Pool{jobs: make(chan Job, 8), last: time.Now()}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go p.drainOnSignal(sigs)
	for i := 0; i < 3; i++ {
		go p.worker()
	}
	go p.reaper(60 * time.Millisecond)
	produce(p)
}
