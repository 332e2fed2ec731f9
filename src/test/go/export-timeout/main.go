// Command export-timeout models a report-export job with a deadline: a
// producer goroutine pages through the billing API and sends each page on an
// unbuffered channel; the exporter writes every page to object storage under
// the job's context. When the deadline passes while a page is being written,
// the exporter's error path closes the page channel "to stop the producer" and
// returns the error; its goroutine then exits.
//
// The producer is blocked sending the next page at that moment: the close
// wakes it and it panics with "send on closed channel" in runtime.chansend
// after gopark.
package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Invoice is one billing record.
type Invoice struct {
	ID     string
	Cents  int64
	Issued time.Time
}

// Page is one page of a paginated API listing.
type Page[T any] struct {
	Items []T
	Next  string
}

type billingAPI struct {
	latency time.Duration
	pages   int
}

func (a *billingAPI) List(ctx context.Context, token string) (Page[Invoice], error) {
	time.Sleep(a.latency)
	n, _ := strconv.Atoi(token)
	if n >= a.pages {
		return Page[Invoice]{}, errors.New("bad page token " + token)
	}
	p := Page[Invoice]{}
	for i := 0; i < 50; i++ {
		p.Items = append(p.Items, Invoice{ID: "inv-" + strconv.Itoa(n*50+i), Cents: int64(100 * i), Issued: time.Now()})
	}
	if n+1 < a.pages {
		p.Next = strconv.Itoa(n + 1)
	}
	return p, nil
}

// produce sends every page of the listing on pages.
func produce[T any](ctx context.Context, list func(context.Context, string) (Page[T], error), pages chan<- Page[T]) error {
	token := "0"
	for {
		p, err := list(ctx, token)
		if err != nil {
			return err
		}
		pages <- p // truth:sender truth:victim
		if p.Next == "" {
			return nil
		}
		token = p.Next
	}
}

type objectStore struct {
	mu      sync.Mutex
	written int
	latency time.Duration
}

func (s *objectStore) Put(ctx context.Context, key string, items []Invoice) error {
	select {
	case <-time.After(s.latency):
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	s.written += len(items)
	s.mu.Unlock()
	return nil
}

// Exporter writes a listing to object storage.
type Exporter struct {
	store *objectStore
	api   *billingAPI
}

func (e *Exporter) Export(ctx context.Context, job string) error {
	pages := make(chan Page[Invoice])
	go produce(ctx, e.api.List, pages)
	for i := 0; ; i++ {
		p, ok := <-pages
		if !ok {
			return nil
		}
		if err := e.store.Put(ctx, job+"/part-"+strconv.Itoa(i), p.Items); err != nil {
			close(pages) // truth:closer
			return err
		}
		if p.Next == "" {
			return nil
		}
	}
}

// runJob runs one export under its deadline.
func runJob(e *Exporter, job string, deadline time.Duration, errs chan<- error) {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	errs <- e.Export(ctx, job)
}

func main() {
	e := &Exporter{
		store: &objectStore{latency: 400 * time.Millisecond},
		api:   &billingAPI{latency: 5 * time.Millisecond, pages: 20},
	}
	errs := make(chan error, 1)
	go runJob(e, "exports/2024-05", 600*time.Millisecond, errs)
	err := <-errs
	if err != nil {
		time.Sleep(time.Second) // the job scheduler backs off
	}
}
