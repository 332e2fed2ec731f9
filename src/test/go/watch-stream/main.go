// Command watch-stream models a configuration agent that watches a key prefix
// (the shape of many etcd/Consul watch wrappers): a poller goroutine long-polls
// the store and sends each change on the watch's events channel; the watch
// loop receives them and applies them, and when the agent's context is
// cancelled its select takes the ctx.Done branch, closes the events channel
// "so the poller stops" and returns. The close is in a select that receives
// from the channel; nothing in that select sends on it.
//
// The poller's long poll returns after the watch loop closed the channel: its
// send panics with "send on closed channel" at the first check of
// runtime.chansend. The closer returned; its goroutine waits for the next
// reload.
package main

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// KV is one key's new value.
type KV struct {
	Key      string
	Value    []byte
	Revision int64
}

// WatchEvent is a batch of changes.
type WatchEvent struct {
	Revision int64
	Changes  []KV
}

type store struct {
	mu  sync.Mutex
	rev int64
}

// longPoll blocks until the next revision (or the poll timeout).
func (s *store) longPoll(prefix string, after int64) (WatchEvent, error) {
	time.Sleep(30 * time.Millisecond)
	s.mu.Lock()
	s.rev++
	rev := s.rev
	s.mu.Unlock()
	return WatchEvent{Revision: rev, Changes: []KV{{Key: prefix + "feature-flags", Value: []byte(strconv.FormatInt(rev, 10)), Revision: rev}}}, nil
}

type watch struct {
	prefix string
	events chan WatchEvent
	store  *store
}

// poll sends the store's changes on the watch's channel.
func (w *watch) poll() {
	var rev int64
	for {
		ev, err := w.store.longPoll(w.prefix, rev)
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		rev = ev.Revision
		w.events <- ev // truth:sender truth:victim
	}
}

type agent struct {
	mu      sync.Mutex
	config  map[string][]byte
	reloads chan struct{}
}

// run applies the watch's events until ctx is cancelled.
func (a *agent) run(ctx context.Context, w *watch) {
	for {
		select {
		case ev := <-w.events:
			a.mu.Lock()
			for _, kv := range ev.Changes {
				a.config[kv.Key] = kv.Value
			}
			a.mu.Unlock()
		case <-ctx.Done():
			close(w.events) // truth:closer
			return
		}
	}
}

// supervise restarts the watch on every reload request.
func (a *agent) supervise(s *store) {
	for range a.reloads {
		ctx, cancel := context.WithTimeout(context.Background(), 75*time.Millisecond)
		w := &watch{prefix: "/config/service-a/", events: make(chan WatchEvent), store: s}
		go w.poll()
		a.run(ctx, w)
		cancel()
	}
}

func main() {
	a := &agent{config: make(map[string][]byte), reloads: make(chan struct{}, 1)}
	go a.supervise(&store{})
	a.reloads <- struct{}{}
	time.Sleep(time.Second)
}
