// Command scheduler-stop models a job scheduler of a controller manager whose
// Stop is "idempotent" through a select-default guard: if stopCh is already
// closed it returns ErrStopped, otherwise it drains the queue and closes
// stopCh, then waits for the run loop to finish its current job. Two goroutines
// stop the scheduler at the same moment: the leader-election callback (the
// lease was lost) and the SIGTERM handler. Both find stopCh open and take
// default; the drain is serialized by the queue lock, so the first one closes
// stopCh and parks waiting for the loop, and the second closes it again and
// panics with "close of closed channel" in runtime.closechan.
package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

var ErrStopped = errors.New("scheduler already stopped")

// Job is a reconcile request.
type Job struct {
	Key      string
	Attempts int
}

// Scheduler runs queued jobs one at a time.
type Scheduler[J any] struct {
	mu     sync.Mutex
	queue  []J
	wake   chan struct{}
	stopCh chan struct{}
	done   chan struct{}
	run    func(J)
}

func NewScheduler[J any](run func(J)) *Scheduler[J] {
	s := &Scheduler[J]{wake: make(chan struct{}, 1), stopCh: make(chan struct{}), done: make(chan struct{}), run: run}
	go s.loop()
	return s
}

func (s *Scheduler[J]) Enqueue(j J) {
	s.mu.Lock()
	s.queue = append(s.queue, j)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Scheduler[J]) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.stopCh:
			return
		case <-s.wake:
		}
		for {
			s.mu.Lock()
			if len(s.queue) == 0 {
				s.mu.Unlock()
				break
			}
			j := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			s.run(j)
		}
	}
}

// drain drops the queued jobs, persisting them for the next leader.
func (s *Scheduler[J]) drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	time.Sleep(150 * time.Millisecond) // write the queue to the lease object
	s.queue = nil
}

// Stop stops the scheduler and waits for the current job.
func (s *Scheduler[J]) Stop() error {
	select {
	case <-s.stopCh:
		return ErrStopped
	default:
		s.drain()
		close(s.stopCh) // truth:closer truth:victim
	}
	<-s.done
	return nil
}

type controller struct {
	sched *Scheduler[Job]
}

// onStoppedLeading is the leader-election callback.
func (c *controller) onStoppedLeading() {
	c.sched.Stop()
}

// handleSignals stops the controller on SIGTERM.
func (c *controller) handleSignals(ctx context.Context, sigc <-chan string) {
	select {
	case <-sigc:
		c.sched.Stop()
	case <-ctx.Done():
	}
}

func main() {
	c := &controller{}
	c.sched = NewScheduler(func(j Job) {
		time.Sleep(time.Second) // reconcile a deployment
	})
	for i := 0; i < 5; i++ {
		c.sched.Enqueue(Job{Key: "default/web-" + strconv.Itoa(i)})
	}
	time.Sleep(10 * time.Millisecond)

	// The node is being drained: the lease is lost and SIGTERM arrives together.
	sigc := make(chan string, 1)
	lost := make(chan struct{})
	go c.handleSignals(context.Background(), sigc)
	go func() {
		<-lost
		c.onStoppedLeading()
	}()
	close(lost)
	time.Sleep(2 * time.Millisecond)
	sigc <- "terminated"
	time.Sleep(time.Second)
}
