// Command premature-close models a bounded worker pool like the one in
// knative serving PR 3068: Go hands work to the workers over an unbuffered
// channel and Wait closes that channel and waits for the workers. A reconciler
// submits revisions from a lister goroutine and, when its reconcile budget runs
// out, calls Wait while the lister is still inside Go.
//
// Both workers are busy, so the lister is parked in its send on the unbuffered
// work channel when Wait closes it; the close wakes it and it panics with
// "send on closed channel" from runtime.chansend after gopark.
package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Revision is what the reconciler rolls out.
type Revision struct {
	Name       string
	Generation int64
	Ready      bool
}

type task[T any] struct {
	name string
	run  func(context.Context) (T, error)
}

// Pool runs submitted functions on a fixed number of workers.
type Pool[T any] struct {
	workCh chan task[T]
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	results []T
	err     error
}

func NewPool[T any](ctx context.Context, workers int) *Pool[T] {
	ctx, cancel := context.WithCancel(ctx)
	p := &Pool[T]{workCh: make(chan task[T]), ctx: ctx, cancel: cancel}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

func (p *Pool[T]) worker() {
	defer p.wg.Done()
	for t := range p.workCh {
		v, err := t.run(p.ctx)
		p.mu.Lock()
		if err != nil && p.err == nil {
			p.err = errors.New(t.name + ": " + err.Error())
			p.cancel()
		}
		p.results = append(p.results, v)
		p.mu.Unlock()
	}
}

// Go submits f; it blocks until a worker is free.
func (p *Pool[T]) Go(name string, f func(context.Context) (T, error)) {
	p.workCh <- task[T]{name: name, run: f} // truth:sender truth:victim
}

// Wait stops accepting work and waits for the workers to finish.
func (p *Pool[T]) Wait() ([]T, error) {
	close(p.workCh) // truth:closer
	p.wg.Wait()
	p.cancel()
	return p.results, p.err
}

type reconciler struct {
	budget time.Duration
}

func rollout(name string, gen int64) func(context.Context) (Revision, error) {
	return func(ctx context.Context) (Revision, error) {
		time.Sleep(400 * time.Millisecond) // wait for the deployment to become ready
		return Revision{Name: name, Generation: gen, Ready: true}, nil
	}
}

// listRevisions pages through the revisions of a service and submits each.
func (r *reconciler) listRevisions(p *Pool[Revision], service string) {
	for page := 0; page < 3; page++ {
		time.Sleep(2 * time.Millisecond) // API server round trip
		for i := 0; i < 2; i++ {
			gen := int64(page*2 + i + 1)
			name := service + "-" + strconv.FormatInt(gen, 10)
			p.Go(name, rollout(name, gen))
		}
	}
}

func (r *reconciler) Reconcile(ctx context.Context, service string) error {
	p := NewPool[Revision](ctx, 2)
	go r.listRevisions(p, service)

	// Give the rollouts the reconcile budget, then collect what finished.
	select {
	case <-time.After(r.budget):
	case <-ctx.Done():
	}
	revs, err := p.Wait()
	if err != nil {
		return err
	}
	if len(revs) == 0 {
		return errors.New("no revisions became ready")
	}
	return nil
}

func main() {
	r := &reconciler{budget: 60 * time.Millisecond}
	r.Reconcile(context.Background(), "helloworld-go")
}
