// Command pipeline-stage models a generic pipeline stage of an order-billing
// service: Stage.Run starts N workers that read orders from the input channel,
// price them and send the invoices on the stage's output channel. Each worker
// closes the output channel when the input is exhausted, as the single-worker
// version of the stage did ("the sender closes").
//
// With two workers, the worker whose input runs out first closes the output
// channel while the other worker is blocked sending its last invoice to the
// slow sink: the close wakes it and it panics with "send on closed channel"
// in runtime.chansend after gopark. Closer and victim are the same function.
package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"time"
)

// Order is what the storefront submits.
type Order struct {
	ID       string
	Lines    int
	Priority bool
	Pricing  time.Duration // how long the tax service takes for this order
}

// Invoice is what the billing stage produces.
type Invoice struct {
	OrderID string
	Cents   int64
	Tax     int64
	Worker  int
}

// Stage is one step of a pipeline with a pool of workers.
type Stage[In, Out any] struct {
	Name    string
	Workers int
	Fn      func(ctx context.Context, worker int, in In) (Out, error)

	mu     sync.Mutex
	errors int
}

// Run starts the workers and returns the stage's output channel.
func (s *Stage[In, Out]) Run(ctx context.Context, in <-chan In) <-chan Out {
	out := make(chan Out)
	for i := 0; i < s.Workers; i++ {
		go s.work(ctx, i, in, out)
	}
	return out
}

func (s *Stage[In, Out]) work(ctx context.Context, id int, in <-chan In, out chan Out) {
	for v := range in {
		r, err := s.Fn(ctx, id, v)
		if err != nil {
			s.mu.Lock()
			s.errors++
			s.mu.Unlock()
			continue
		}
		out <- r // truth:sender truth:victim
	}
	close(out) // truth:closer
}

type taxService struct{ rate int64 }

func (t *taxService) price(ctx context.Context, worker int, o Order) (Invoice, error) {
	select {
	case <-time.After(o.Pricing):
	case <-ctx.Done():
		return Invoice{}, ctx.Err()
	}
	if o.Lines == 0 {
		return Invoice{}, errors.New("order " + o.ID + " has no lines")
	}
	cents := int64(o.Lines) * 1999
	return Invoice{OrderID: o.ID, Cents: cents, Tax: cents * t.rate / 100, Worker: worker}, nil
}

// ledger is the slow sink: every invoice is written to the accounting system.
type ledger struct {
	mu    sync.Mutex
	total int64
}

func (l *ledger) consume(invoices <-chan Invoice, done chan<- struct{}) {
	for inv := range invoices {
		time.Sleep(300 * time.Millisecond) // accounting API round trip
		l.mu.Lock()
		l.total += inv.Cents + inv.Tax
		l.mu.Unlock()
	}
	close(done)
}

func main() {
	ctx := context.Background()
	tax := &taxService{rate: 8}
	billing := &Stage[Order, Invoice]{Name: "billing", Workers: 2, Fn: tax.price}

	orders := make(chan Order)
	invoices := billing.Run(ctx, orders)
	done := make(chan struct{})
	go (&ledger{}).consume(invoices, done)

	batch := []Order{
		{ID: "A-1001", Lines: 3, Pricing: 5 * time.Millisecond},
		{ID: "A-1002", Lines: 1, Pricing: 20 * time.Millisecond},
		{ID: "A-1003", Lines: 7, Pricing: 40 * time.Millisecond, Priority: true},
	}
	for _, o := range batch {
		orders <- o
	}
	close(orders)
	<-done
	os.Stdout.WriteString("billed " + strconv.Itoa(len(batch)) + " orders\n")
}
