// Command stopper models CockroachDB's stop.Stopper (cockroach issue 34572):
// a server runs its workers and tasks under a Stopper, and Stop quiesces them
// (closes the quiescer channel), waits for the tasks and runs the closers. Stop
// is not idempotent, and two goroutine roots call it: the signal handler on
// SIGTERM, and main when the server's Start returns an error, which it does
// precisely because the stopper started quiescing.
//
// The signal handler's Stop closes quiescer and parks waiting for a task that
// is still draining; main's Stop closes quiescer again and panics with "close
// of closed channel" in runtime.closechan. Nobody sends on quiescer.
package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"time"
)

// Stopper runs goroutines and stops them in order.
type Stopper struct {
	quiescer chan struct{} // closed when the stopper starts quiescing
	stopped  chan struct{} // closed when Stop is done

	mu      sync.Mutex
	tasks   sync.WaitGroup
	closers []func()
	names   map[string]int
}

func NewStopper() *Stopper {
	return &Stopper{quiescer: make(chan struct{}), stopped: make(chan struct{}), names: make(map[string]int)}
}

// ShouldQuiesce is closed when the stopper starts shutting down.
func (s *Stopper) ShouldQuiesce() <-chan struct{} { return s.quiescer }

// RunAsyncTask runs f in a goroutine accounted for by Stop.
func (s *Stopper) RunAsyncTask(ctx context.Context, name string, f func(context.Context)) error {
	s.mu.Lock()
	s.names[name]++
	s.mu.Unlock()
	s.tasks.Add(1)
	go func() {
		defer s.tasks.Done()
		f(ctx)
	}()
	return nil
}

func (s *Stopper) AddCloser(c func()) {
	s.mu.Lock()
	s.closers = append(s.closers, c)
	s.mu.Unlock()
}

// Stop quiesces every task, waits for them and runs the closers.
func (s *Stopper) Stop(ctx context.Context) {
	close(s.quiescer) // truth:closer truth:victim
	s.tasks.Wait()
	s.mu.Lock()
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.mu.Unlock()
	close(s.stopped)
}

var errQuiescing = errors.New("server is shutting down")

// Server accepts requests until the stopper quiesces.
type Server struct {
	stopper  *Stopper
	requests chan string
	served   int
}

// Start serves requests; it returns an error when the stopper quiesces.
func (srv *Server) Start(ctx context.Context) error {
	for {
		select {
		case r := <-srv.requests:
			r2 := r
			srv.stopper.RunAsyncTask(ctx, "request", func(ctx context.Context) {
				time.Sleep(2 * time.Millisecond)
				_ = r2
			})
			srv.served++
		case <-srv.stopper.ShouldQuiesce():
			return errQuiescing
		}
	}
}

// handleSignals stops the server on SIGTERM.
func (srv *Server) handleSignals(ctx context.Context, sigc <-chan string) {
	sig := <-sigc
	_ = sig
	srv.stopper.Stop(ctx)
}

func main() {
	ctx := context.Background()
	stopper := NewStopper()
	srv := &Server{stopper: stopper, requests: make(chan string)}
	// The raft log truncator takes a while to notice quiescence.
	stopper.RunAsyncTask(ctx, "raft-log-truncator", func(ctx context.Context) {
		<-stopper.ShouldQuiesce()
		time.Sleep(time.Second) // flushes the last truncation
	})
	stopper.AddCloser(func() { os.Stdout.WriteString("closing engines\n") })

	sigc := make(chan string, 1)
	go srv.handleSignals(ctx, sigc)
	go func() {
		for i := 0; i < 5; i++ {
			srv.requests <- "kv.Get " + strconv.Itoa(i)
			time.Sleep(5 * time.Millisecond)
		}
		sigc <- "terminated"
	}()

	if err := srv.Start(ctx); err != nil {
		os.Stdout.WriteString("server failed: " + err.Error() + "\n")
		time.Sleep(20 * time.Millisecond) // log flush
		stopper.Stop(ctx)
	}
	<-stopper.stopped
}
