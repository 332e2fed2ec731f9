// Command raft-node models the raft node of etcd's raftexample: the node's
// raft loop (serveChannels) publishes committed entries to the key-value store
// on commitC, and stop() tears the node down by closing commitC and errorC.
// stop() is reached from two goroutine roots: the raft loop itself when the
// node is asked to stop, and writeError, which the peer transport goroutine
// (serveRaft) calls when its listener fails.
//
// The transport fails while the raft loop is still committing: serveRaft's
// writeError closes commitC and then waits for the HTTP server to finish. The
// raft loop's next publish sends on the closed channel and panics with "send
// on closed channel" at the first check in runtime.chansend.
package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Entry is one raft log entry.
type Entry struct {
	Term  uint64
	Index uint64
	Data  []byte
}

// commit is what the raft loop hands to the key-value store.
type commit struct {
	data       []string
	applyDoneC chan<- struct{}
}

type raftNode struct {
	id        int
	proposeC  <-chan string
	commitC   chan *commit
	errorC    chan error
	stopc     chan struct{}
	httpstopc chan struct{}
	httpdonec chan struct{}

	mu        sync.Mutex
	log       []Entry
	applied   uint64
	committed uint64
}

func newRaftNode(id int, proposeC <-chan string) *raftNode {
	return &raftNode{
		id:        id,
		proposeC:  proposeC,
		commitC:   make(chan *commit),
		errorC:    make(chan error, 1),
		stopc:     make(chan struct{}),
		httpstopc: make(chan struct{}),
		httpdonec: make(chan struct{}),
	}
}

// stop closes the node's output channels; the key-value store and the
// process watch them to learn that the node is gone.
func (rc *raftNode) stop() {
	rc.stopHTTP()
	close(rc.commitC) // truth:closer
	close(rc.errorC)
}

func (rc *raftNode) stopHTTP() {
	select {
	case <-rc.httpstopc:
	default:
		close(rc.httpstopc)
	}
}

// writeError reports a fatal transport error and stops the node.
func (rc *raftNode) writeError(err error) {
	rc.errorC <- err
	rc.stop()
	<-rc.httpdonec // the HTTP server finishes its in-flight requests
}

// publishEntries hands committed entries to the store and waits until applied.
func (rc *raftNode) publishEntries(ents []Entry) bool {
	data := make([]string, 0, len(ents))
	for _, e := range ents {
		data = append(data, string(e.Data))
	}
	applyDoneC := make(chan struct{})
	rc.commitC <- &commit{data: data, applyDoneC: applyDoneC} // truth:sender truth:victim
	select {
	case <-applyDoneC:
	case <-rc.stopc:
		return false
	}
	rc.mu.Lock()
	rc.applied = ents[len(ents)-1].Index
	rc.mu.Unlock()
	return true
}

// serveChannels is the raft loop: it ticks, appends proposals and publishes
// what the quorum committed.
func (rc *raftNode) serveChannels() {
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	var pending []Entry
	for {
		select {
		case prop := <-rc.proposeC:
			rc.mu.Lock()
			e := Entry{Term: 2, Index: uint64(len(rc.log) + 1), Data: []byte(prop)}
			rc.log = append(rc.log, e)
			rc.mu.Unlock()
			pending = append(pending, e)
		case <-ticker.C:
			if len(pending) == 0 {
				continue
			}
			// The followers acknowledged: the pending entries are committed.
			if !rc.publishEntries(pending) {
				rc.stop()
				return
			}
			pending = pending[:0]
		case <-rc.stopc:
			rc.stop()
			return
		}
	}
}

// serveRaft runs the peer transport; when its listener fails the node stops.
func (rc *raftNode) serveRaft(ctx context.Context, listenerFails time.Duration) {
	select {
	case <-time.After(listenerFails):
		rc.writeError(errors.New("raftexample: Failed to serve rafthttp (accept tcp 127.0.0.1:12379: use of closed network connection)"))
	case <-ctx.Done():
	}
}

// kvstore applies committed entries.
type kvstore struct {
	mu sync.Mutex
	kv map[string]string
}

func (s *kvstore) readCommits(commitC <-chan *commit, errorC <-chan error) {
	for c := range commitC {
		s.mu.Lock()
		for _, d := range c.data {
			k, v, _ := cutKV(d)
			s.kv[k] = v
		}
		s.mu.Unlock()
		close(c.applyDoneC)
	}
}

func cutKV(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	proposeC := make(chan string)
	rc := newRaftNode(1, proposeC)
	store := &kvstore{kv: make(map[string]string)}
	go store.readCommits(rc.commitC, rc.errorC)
	go rc.serveChannels()
	go rc.serveRaft(ctx, 70*time.Millisecond)

	// Clients keep proposing writes.
	for i := 0; i < 200; i++ {
		proposeC <- "key-" + strconv.Itoa(i%7) + "=" + strconv.Itoa(i)
		time.Sleep(3 * time.Millisecond)
	}
	close(rc.stopc)
	time.Sleep(time.Second)
}
