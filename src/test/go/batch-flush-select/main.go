// Command batch-flush-select models a metrics batcher whose Close ships the
// last partial batch through a helper, emit, that sends with a select (so a
// stuck shipper cannot hang shutdown), and then closes the output channel.
// Request handlers still call Add, which ships a full batch with a plain send:
// one of them sends after Close and panics with "send on closed channel".
//
// The closer is a sender itself: its send is a select case in a function it
// calls, not a send statement in Close.
package main

import (
	"fmt"
	"sync"
	"time"
)

// Point is one metric sample.
type Point struct {
	Name  string
	Value float64
	At    time.Time
}

// Batcher groups points and hands batches to a shipper.
type Batcher struct {
	mu      sync.Mutex
	pending []Point
	size    int
	out     chan []Point
}

func NewBatcher(size int) *Batcher {
	return &Batcher{size: size, out: make(chan []Point, 2)}
}

// emit hands one batch to the shipper, giving up after timeout.
func (b *Batcher) emit(batch []Point, timeout time.Duration) bool {
	if len(batch) == 0 {
		return true
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case b.out <- batch:
		return true
	case <-t.C:
		fmt.Println("batcher: shipper stuck, dropping", len(batch), "points")
		return false
	}
}

// Add queues a point; a full batch is shipped right away.
func (b *Batcher) Add(p Point) {
	b.mu.Lock()
	b.pending = append(b.pending, p)
	var full []Point
	if len(b.pending) >= b.size {
		full, b.pending = b.pending, nil
	}
	b.mu.Unlock()
	if full != nil {
		b.out <- full // truth:sender truth:victim
	}
}

// Close ships what is pending and closes the output.
func (b *Batcher) Close() {
	b.mu.Lock()
	last := b.pending
	b.pending = nil
	b.mu.Unlock()
	b.emit(last, 100*time.Millisecond)
	close(b.out) // truth:closer
}

type shipper struct {
	sent int
}

func (s *shipper) run(in <-chan []Point, done chan<- int) {
	for batch := range in {
		time.Sleep(2 * time.Millisecond) // a remote write
		s.sent += len(batch)
	}
	done <- s.sent
}

func handler(b *Batcher, id int, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			// The handler finishes its in-flight request before it notices.
			time.Sleep(20 * time.Millisecond)
			b.Add(Point{Name: fmt.Sprintf("http_requests{handler=%d}", id), Value: float64(i), At: time.Now()})
			return
		default:
		}
		b.Add(Point{Name: fmt.Sprintf("http_requests{handler=%d}", id), Value: float64(i), At: time.Now()})
		time.Sleep(time.Millisecond)
	}
}

func main() {
	b := NewBatcher(1)
	done := make(chan int, 1)
	s := &shipper{}
	go s.run(b.out, done)

	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		go handler(b, i, stop)
	}
	time.Sleep(50 * time.Millisecond)

	// Graceful shutdown: stop the handlers, flush, close. Nobody waits for
	// the handlers' in-flight requests.
	close(stop)
	b.Close()
	fmt.Println("shipped", <-done)
	time.Sleep(time.Second)
}
