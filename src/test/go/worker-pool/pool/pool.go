// Package pool is a small bounded worker pool, the kind a service keeps in an
// internal package: Submit hands a job to a worker over an unbuffered channel,
// Shutdown stops the pool. Shutdown waits for the running jobs, but gives up at
// its deadline and closes the job channel anyway, while a Submit may still be
// parked on it (the shape of knative serving PR 3068).
package pool

import (
	"sync"
	"time"
)

// Job is one unit of work.
type Job struct {
	ID  int
	Run func()
}

// Pool runs jobs on a fixed number of workers.
type Pool struct {
	jobs chan Job
	wg   sync.WaitGroup
}

// New starts n workers.
func New(n int) *Pool {
	p := &Pool{jobs: make(chan Job)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	defer p.wg.Done()
	for j := range p.jobs {
		j.Run()
	}
}

// Submit blocks until a worker takes the job.
func (p *Pool) Submit(j Job) {
	p.jobs <- j // truth:sender truth:victim
}

// Shutdown closes the pool: it waits for the workers up to the deadline, then
// closes the job channel whether or not they are done.
func (p *Pool) Shutdown(deadline time.Duration) bool {
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	finished := true
	select {
	case <-done:
	case <-time.After(deadline):
		finished = false
	}
	close(p.jobs) // truth:closer
	return finished
}
