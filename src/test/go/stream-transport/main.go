// Command stream-transport models the http.Handler-based gRPC server transport
// of grpc-go (handler_server.go, PRs 1687 and 2695): every write to the
// response is a closure queued on the writes channel and run by the request's
// goroutine in runStream. Two functions send their last write and then close
// writes: WriteStatus (trailers), called when the stream's deadline expires,
// and HandleStreams, which queues the end-of-stream flush after the method
// handler returns and closes writes once the client has half-closed or the
// flush timeout passed.
//
// The handler returns quickly, HandleStreams queues its flush and waits for
// the client's half-close; meanwhile the deadline timer's WriteStatus queues the
// trailers and closes writes; HandleStreams then closes writes again and
// panics with "close of closed channel".
package main

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"time"
)

// Status is a gRPC status.
type Status struct {
	Code    int
	Message string
}

type responseWriter struct {
	mu      sync.Mutex
	header  map[string]string
	body    bytes.Buffer
	flushed int
}

func (w *responseWriter) Write(p []byte) {
	w.mu.Lock()
	w.body.Write(p)
	w.mu.Unlock()
}

func (w *responseWriter) Flush() {
	w.mu.Lock()
	w.flushed++
	w.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // the network write
}

// handlerTransport is one RPC served through net/http.
type handlerTransport struct {
	rw             *responseWriter
	writes         chan func()
	closedCh       chan struct{}
	halfClosed     chan struct{}
	flushTimeout   time.Duration
	deadline       time.Duration
	writeStatusMu  sync.Mutex
	statusWritten  bool
	requestHeaders map[string]string
}

func newHandlerTransport(rw *responseWriter, deadline time.Duration) *handlerTransport {
	return &handlerTransport{
		rw:           rw,
		writes:       make(chan func(), 8),
		closedCh:     make(chan struct{}),
		halfClosed:   make(chan struct{}),
		flushTimeout: 300 * time.Millisecond,
		deadline:     deadline,
	}
}

// do queues a write for the request goroutine.
func (ht *handlerTransport) do(fn func()) bool {
	select {
	case <-ht.closedCh:
		return false
	default:
	}
	ht.writes <- fn
	return true
}

// WriteStatus queues the trailers and ends the response.
func (ht *handlerTransport) WriteStatus(st *Status) {
	ht.writeStatusMu.Lock()
	defer ht.writeStatusMu.Unlock()
	ht.writes <- func() {
		ht.rw.header["Grpc-Status"] = strconv.Itoa(st.Code)
		ht.rw.header["Grpc-Message"] = st.Message
		ht.rw.Flush()
	}
	ht.statusWritten = true
	close(ht.writes) // truth:closer
}

// HandleStreams runs the method handler for the request and finishes the
// response: it queues the end-of-stream flush, waits for the client to
// half-close (or for the flush timeout) and ends the response.
func (ht *handlerTransport) HandleStreams(ctx context.Context, handle func(ctx context.Context) []byte) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := time.AfterFunc(ht.deadline, func() {
		cancel()
		ht.WriteStatus(&Status{Code: 4, Message: "context deadline exceeded"})
	})
	defer timer.Stop()

	msg := handle(ctx)
	ht.do(func() { ht.rw.Write(msg) })
	ht.writes <- func() { ht.rw.Flush() }
	select {
	case <-ht.halfClosed:
	case <-time.After(ht.flushTimeout):
	}
	close(ht.writes) // truth:closer truth:victim
}

// runStream executes queued writes until the writes channel is closed.
func (ht *handlerTransport) runStream(done chan<- struct{}) {
	for fn := range ht.writes {
		fn()
	}
	close(ht.closedCh)
	close(done)
}

// sayHello is the method handler.
func sayHello(ctx context.Context) []byte {
	time.Sleep(3 * time.Millisecond)
	return []byte("Hello, gopher")
}

func main() {
	rw := &responseWriter{header: make(map[string]string)}
	ht := newHandlerTransport(rw, 100*time.Millisecond)
	done := make(chan struct{})
	go ht.runStream(done)
	go ht.HandleStreams(context.Background(), sayHello)
	<-done
	time.Sleep(time.Second)
}
