// Command send-then-close models a gRPC-style server stream whose WriteStatus
// queues the trailing status frame and then closes the stream's write queue,
// assuming nobody writes after the status (grpc-go PRs 1546, 1687, 2695).
//
// Two copies of WriteStatus run for the same stream: the deadline timer's
// (DeadlineExceeded) and the handler's own when it finishes (OK). The timer's
// copy sends its status and closes the queue; the handler's copy then sends on
// the closed queue and panics with "send on closed channel" at the first check
// in runtime.chansend.
package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

type frameKind uint8

const (
	frameHeaders frameKind = iota
	frameData
	frameStatus
)

// Status is a gRPC status.
type Status struct {
	Code    int
	Message string
}

var (
	statusOK               = &Status{Code: 0}
	statusDeadlineExceeded = &Status{Code: 4, Message: "context deadline exceeded"}
)

// frame is what the transport's writer goroutine puts on the wire.
type frame struct {
	streamID uint32
	kind     frameKind
	data     []byte
	status   *Status
}

type serverStream struct {
	id     uint32
	method string
	writes chan frame
}

// Write queues a data frame.
func (s *serverStream) Write(p []byte) error {
	if len(p) == 0 {
		return errors.New("empty message")
	}
	s.writes <- frame{streamID: s.id, kind: frameData, data: p}
	return nil
}

// WriteStatus queues the trailing status and closes the stream's write queue.
func (s *serverStream) WriteStatus(st *Status) {
	s.writes <- frame{streamID: s.id, kind: frameStatus, status: st} // truth:sender truth:victim
	close(s.writes)                                                  // truth:closer
}

type transport struct {
	mu      sync.Mutex
	written int
	wire    []byte
}

// loopyWriter drains a stream's write queue onto the connection.
func (t *transport) loopyWriter(s *serverStream, done chan<- struct{}) {
	defer close(done)
	for f := range s.writes {
		t.mu.Lock()
		t.written++
		t.wire = append(t.wire[:0], f.data...)
		t.mu.Unlock()
		time.Sleep(200 * time.Microsecond) // socket write
	}
}

type handler func(ctx context.Context, s *serverStream) error

// serveStream runs a handler with the stream's deadline and writes its status.
func (t *transport) serveStream(s *serverStream, h handler, timeout time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deadline := time.AfterFunc(timeout, func() {
		cancel()
		s.WriteStatus(statusDeadlineExceeded)
	})
	err := h(ctx, s)
	deadline.Stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		s.WriteStatus(&Status{Code: 13, Message: err.Error()})
		return
	}
	s.WriteStatus(statusOK)
}

// listFeatures streams a page of items and then a summary computed from them;
// it does not watch ctx while computing.
func listFeatures(ctx context.Context, s *serverStream) error {
	var n int
	for i := 0; i < 3; i++ {
		item := []byte("feature-")
		item = append(item, byte('a'+i))
		time.Sleep(5 * time.Millisecond) // database page
		if err := s.Write(item); err != nil {
			return err
		}
		n += len(item)
	}
	time.Sleep(90 * time.Millisecond) // summary query
	if n == 0 {
		return errors.New("no features")
	}
	return nil
}

func main() {
	t := &transport{}
	s := &serverStream{id: 1, method: "/routeguide.RouteGuide/ListFeatures", writes: make(chan frame, 8)}
	s.writes <- frame{streamID: s.id, kind: frameHeaders}
	done := make(chan struct{})
	go t.loopyWriter(s, done)
	go t.serveStream(s, listFeatures, 60*time.Millisecond)
	<-done
	time.Sleep(2 * time.Second)
}
