// Command webhook-select-publish models a webhook dispatcher. Every event goes
// through publish, which sends on the delivery queue with a select so that a
// caller gives up when its request context ends. Shutdown publishes a final
// "dispatcher stopping" event through the same helper and then closes the
// queue; an API handler that publishes a moment later panics with "send on
// closed channel" inside publish's select.
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Event is one webhook delivery.
type Event struct {
	Hook    string
	Kind    string
	Payload []byte
}

// Dispatcher owns the delivery queue.
type Dispatcher struct {
	queue   chan Event
	mu      sync.Mutex
	dropped int
}

// publish queues an event unless the caller's context ends first.
func (d *Dispatcher) publish(ctx context.Context, e Event) bool {
	select { // truth:sender truth:victim
	case d.queue <- e:
		return true
	case <-ctx.Done():
		d.mu.Lock()
		d.dropped++
		d.mu.Unlock()
		return false
	}
}

// Shutdown tells subscribers the dispatcher stops, then closes the queue.
func (d *Dispatcher) Shutdown(ctx context.Context) {
	d.publish(ctx, Event{Hook: "*", Kind: "dispatcher.stopping"})
	close(d.queue) // truth:closer
}

func (d *Dispatcher) deliver(done chan<- int) {
	n := 0
	for e := range d.queue {
		time.Sleep(time.Duration(len(e.Payload)%3) * time.Millisecond) // the HTTP POST
		n++
	}
	done <- n
}

// apiHandler publishes an event per request it serves.
func apiHandler(d *Dispatcher, id int, requests <-chan string) {
	for path := range requests {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		d.publish(ctx, Event{Hook: fmt.Sprintf("hook-%d", id), Kind: "request", Payload: []byte(path)})
		cancel()
	}
}

func main() {
	d := &Dispatcher{queue: make(chan Event)}
	done := make(chan int, 1)
	go d.deliver(done)

	requests := make(chan string, 64)
	for i := 0; i < 3; i++ {
		go apiHandler(d, i, requests)
	}
	go func() {
		for i := 0; ; i++ {
			requests <- fmt.Sprintf("/v1/orders/%d", i)
			time.Sleep(500 * time.Microsecond)
		}
	}()
	time.Sleep(40 * time.Millisecond)

	// SIGTERM: the dispatcher shuts down while the API still serves.
	d.Shutdown(context.Background())
	fmt.Println("delivered", <-done)
	time.Sleep(time.Second)
}
