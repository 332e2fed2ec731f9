// Command session-events models a server-sent-events hub: every browser
// session has an events channel that its stream goroutine writes to the
// client. Request handlers publish to a session with Publish, which selects
// between the send and the request's context; when the request context ends
// first, Publish decides the session's client is gone and closes the events
// channel (the close sits in the ctx.Done branch of a select whose other case
// sends on the same channel). The session's keepalive goroutine sends a ping
// on the same channel every 400 ms with a plain send.
//
// The client stops reading, the buffer fills, a publishing request times out
// and closes the channel, its goroutine exits; the keepalive's next ping
// panics with "send on closed channel" at the first check of runtime.chansend.
package main

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Event is one server-sent event.
type Event struct {
	ID   int64
	Kind string
	Data []byte
}

// Session is one connected browser.
type Session struct {
	ID     string
	events chan Event

	mu     sync.Mutex
	nextID int64
}

func (s *Session) next() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return s.nextID
}

// Publish delivers ev unless the request's context ends first.
func (s *Session) Publish(ctx context.Context, kind string, data []byte) error {
	ev := Event{ID: s.next(), Kind: kind, Data: data}
	select {
	case s.events <- ev:
		return nil
	case <-ctx.Done():
		close(s.events) // truth:closer
		return ctx.Err()
	}
}

// keepalive pings the client so proxies keep the connection open.
func (s *Session) keepalive(every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.events <- Event{ID: s.next(), Kind: "ping"} // truth:sender truth:victim
		case <-stop:
			return
		}
	}
}

// stream writes the session's events to the client until the client stalls.
func (s *Session) stream(stalled chan<- struct{}, reads int) {
	for i := 0; i < reads; i++ {
		ev, ok := <-s.events
		if !ok {
			return
		}
		_ = ev // "id: N\nevent: kind\ndata: ...\n\n" on the HTTP response
	}
	close(stalled)
	select {} // the client's connection hangs (browser tab suspended)
}

type Hub struct {
	mu       sync.Mutex
	sessions map[string]*Session
}

// handleOrderUpdate is an HTTP handler that notifies the session of a change.
func (h *Hub) handleOrderUpdate(sessionID string, order int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	h.mu.Lock()
	s := h.sessions[sessionID]
	h.mu.Unlock()
	return s.Publish(ctx, "order-updated", []byte(`{"order":`+strconv.Itoa(order)+`}`))
}

func main() {
	h := &Hub{sessions: make(map[string]*Session)}
	s := &Session{ID: "sess-5c1e", events: make(chan Event, 4)}
	h.sessions[s.ID] = s
	stalled := make(chan struct{})
	go s.stream(stalled, 2)
	go s.keepalive(400*time.Millisecond, make(chan struct{}))

	// Order updates arrive; the browser reads two of them and then stalls, and
	// the next four fill the session's buffer.
	var wg sync.WaitGroup
	update := func(order int) {
		defer wg.Done()
		h.handleOrderUpdate(s.ID, order, 100*time.Millisecond)
	}
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go update(9000 + i)
		if i == 1 {
			<-stalled
		}
	}
	wg.Wait()
	// The next update finds the buffer full and times out.
	wg.Add(1)
	go update(9006)
	wg.Wait()
	time.Sleep(time.Second)
}
