// Command select-close-send models the etcd watcher bug of issue 6739: a
// watcher's send selects between delivering the response and a timeout, and
// on timeout it closes the watcher's channel to cut off a slow client. Two
// broadcasters deliver to the same watchers: the apply loop (new revisions)
// and the progress notifier. When the client stops reading, the apply loop's
// send times out and closes the channel while the progress notifier is blocked
// in its own send select on it; the close wakes it and it panics with
// "send on closed channel" from runtime.selectgo.
package main

import (
	"context"
	"sync"
	"time"
)

type EventType int

const (
	PUT EventType = iota
	DELETE
)

// Event is one key change.
type Event struct {
	Type  EventType
	Key   []byte
	Value []byte
	Rev   int64
}

// WatchResponse is what a watcher delivers to its client stream.
type WatchResponse struct {
	WatchID  int64
	Revision int64
	Events   []Event
	Progress bool
}

type watcher struct {
	id  int64
	key []byte
	ch  chan WatchResponse
}

// send delivers wr, or gives up on the watcher after timeout.
func (w *watcher) send(wr WatchResponse, timeout time.Duration) bool {
	select { // truth:sender truth:victim
	case w.ch <- wr:
		return true
	case <-time.After(timeout):
		close(w.ch) // truth:closer
		return false
	}
}

type watchableStore struct {
	mu       sync.RWMutex
	rev      int64
	watchers []*watcher
	timeout  time.Duration
}

// notify is called by the apply loop for each committed revision.
func (s *watchableStore) notify(rev int64, evs []Event) {
	s.mu.RLock()
	ws := append([]*watcher(nil), s.watchers...)
	s.mu.RUnlock()
	for _, w := range ws {
		w.send(WatchResponse{WatchID: w.id, Revision: rev, Events: evs}, s.timeout)
	}
}

// progressNotify tells every watcher the current revision.
func (s *watchableStore) progressNotify(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.RLock()
		rev := s.rev
		ws := append([]*watcher(nil), s.watchers...)
		s.mu.RUnlock()
		for _, w := range ws {
			w.send(WatchResponse{WatchID: w.id, Revision: rev, Progress: true}, s.timeout)
		}
	}
}

// applyLoop commits puts and notifies watchers.
func (s *watchableStore) applyLoop(ctx context.Context, puts <-chan Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-puts:
			s.mu.Lock()
			s.rev++
			ev.Rev = s.rev
			s.mu.Unlock()
			s.notify(ev.Rev, []Event{ev})
		}
	}
}

// clientStream reads a few responses and then the client stops reading.
func clientStream(w *watcher, stalled chan<- struct{}) {
	for i := 0; i < 2; i++ {
		<-w.ch
	}
	close(stalled)
	select {} // the client's connection hangs
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &watchableStore{timeout: 300 * time.Millisecond}
	w := &watcher{id: 7, key: []byte("/registry/pods/"), ch: make(chan WatchResponse, 4)}
	s.watchers = append(s.watchers, w)

	stalled := make(chan struct{})
	go clientStream(w, stalled)
	puts := make(chan Event)
	go s.applyLoop(ctx, puts)

	for i := 0; i < 7; i++ {
		puts <- Event{Type: PUT, Key: []byte("/registry/pods/default/web-0"), Value: []byte{byte(i)}}
		if i == 1 {
			<-stalled
		}
	}
	// The watcher's buffer is full and the apply loop is blocked in send.
	go s.progressNotify(ctx, 150*time.Millisecond)
	time.Sleep(2 * time.Second)
}
