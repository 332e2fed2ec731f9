// Command pubsub-broker models an in-process publish/subscribe broker of the
// kind every event-driven service grows: a dispatcher goroutine fans each
// published event out to the subscribers' buffered channels, and two code paths
// close a subscriber's channel: Unsubscribe, called by the subscriber's own
// connection goroutine when the client goes away, and Shutdown, called by the
// server when it exits. Each closes the channel it removes, but the dispatcher
// works from a snapshot of the subscribers taken before the removal.
//
// A client stops reading; its channel fills and the dispatcher blocks in its
// send select. The client's idle timeout fires, its goroutine unsubscribes
// (closing the channel) and exits; the woken dispatcher panics with "send on
// closed channel" in runtime.selectgo.
package main

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Event is a change notification.
type Event struct {
	Topic   string
	Seq     uint64
	Payload map[string]string
}

// Subscription is one subscriber's view of a topic.
type Subscription[T any] struct {
	ID    string
	Topic string
	C     chan T
}

// Broker fans published values out to subscribers.
type Broker[T any] struct {
	mu       sync.Mutex
	subs     map[string]map[*Subscription[T]]struct{}
	publishC chan publication[T]
	quit     chan struct{}
	dropped  int
}

type publication[T any] struct {
	topic string
	value T
}

func NewBroker[T any]() *Broker[T] {
	b := &Broker[T]{
		subs:     make(map[string]map[*Subscription[T]]struct{}),
		publishC: make(chan publication[T], 64),
		quit:     make(chan struct{}),
	}
	go b.dispatch()
	return b
}

func (b *Broker[T]) Subscribe(id, topic string, buffer int) *Subscription[T] {
	s := &Subscription[T]{ID: id, Topic: topic, C: make(chan T, buffer)}
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = make(map[*Subscription[T]]struct{})
	}
	b.subs[topic][s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Unsubscribe removes s and closes its channel so the reader's range ends.
func (b *Broker[T]) Unsubscribe(s *Subscription[T]) {
	b.mu.Lock()
	delete(b.subs[s.Topic], s)
	b.mu.Unlock()
	close(s.C) // truth:closer
}

// Shutdown stops the dispatcher and closes every subscriber's channel.
func (b *Broker[T]) Shutdown() {
	close(b.quit)
	b.mu.Lock()
	defer b.mu.Unlock()
	for topic, set := range b.subs {
		for s := range set {
			close(s.C) // truth:closer
		}
		delete(b.subs, topic)
	}
}

func (b *Broker[T]) Publish(topic string, v T) {
	b.publishC <- publication[T]{topic: topic, value: v}
}

// dispatch delivers each publication to a snapshot of the topic's subscribers.
func (b *Broker[T]) dispatch() {
	for {
		var p publication[T]
		select {
		case p = <-b.publishC:
		case <-b.quit:
			return
		}
		b.mu.Lock()
		targets := make([]*Subscription[T], 0, len(b.subs[p.topic]))
		for s := range b.subs[p.topic] {
			targets = append(targets, s)
		}
		b.mu.Unlock()
		for _, s := range targets {
			select { // truth:sender truth:victim
			case s.C <- p.value:
			case <-b.quit:
				return
			}
		}
	}
}

// serveClient streams a topic to one client connection until the client has
// been idle for too long.
func serveClient(b *Broker[Event], id string, idle time.Duration, reads int) {
	sub := b.Subscribe(id, "orders", 2)
	ctx, cancel := context.WithTimeout(context.Background(), idle)
	defer cancel()
	for i := 0; i < reads; i++ {
		select {
		case ev := <-sub.C:
			_ = ev.Seq // written to the client's websocket
		case <-ctx.Done():
		}
	}
	// The client stopped reading (its TCP window is full); wait for the idle timeout.
	<-ctx.Done()
	b.Unsubscribe(sub)
}

func main() {
	b := NewBroker[Event]()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		serveClient(b, "client-7f3a", 250*time.Millisecond, 3)
	}()
	time.Sleep(5 * time.Millisecond)

	for i := 0; i < 40; i++ {
		b.Publish("orders", Event{Topic: "orders", Seq: uint64(i), Payload: map[string]string{"order": strconv.Itoa(1000 + i)}})
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
	time.Sleep(500 * time.Millisecond)
	b.Shutdown()
}
