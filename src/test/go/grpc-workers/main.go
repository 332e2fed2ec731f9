// Command grpc-workers models grpc-go issue 6854 (fixed by PR 6856): a server
// with stream workers hands each new stream to an idle worker through
// serverWorkerChannel with a non-blocking send (a select with a default that
// falls back to a new goroutine). Both GracefulStop and Stop stop the workers
// by closing that channel, so the close is reachable from two goroutine roots:
// the SIGTERM handler (GracefulStop) and main's shutdown deadline (Stop).
//
// GracefulStop closes the worker channel first and only then waits for the
// connections to drain. A connection's reader is still accepting streams: the
// next stream's hand-off sends on the closed channel and panics with "send on
// closed channel" at the first check of runtime.chansend, reached through
// runtime.selectnbsend. GracefulStop is parked waiting for the connections.
package main

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stream is one RPC on a connection.
type Stream struct {
	ID     uint32
	Method string
}

// serverTransport reads HTTP/2-like frames ("HEADERS <id> <method>") from a
// connection and reports each new stream.
type serverTransport struct {
	conn net.Conn
	mu   sync.Mutex
	done bool
}

func (t *serverTransport) HandleStreams(handle func(*Stream)) {
	r := bufio.NewReader(t.conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "HEADERS" {
			continue
		}
		id, _ := strconv.ParseUint(f[1], 10, 32)
		handle(&Stream{ID: uint32(id), Method: f[2]})
	}
}

func (t *serverTransport) Drain() {
	t.mu.Lock()
	t.done = true
	t.mu.Unlock()
	t.conn.Write([]byte("GOAWAY\n"))
}

// Server serves RPCs with a fixed set of stream workers.
type Server struct {
	mu    sync.Mutex
	cv    *sync.Cond
	conns map[*serverTransport]bool

	numServerWorkers    int
	serverWorkerChannel chan func()
	handled             int
}

func NewServer(workers int) *Server {
	s := &Server{conns: make(map[*serverTransport]bool), numServerWorkers: workers}
	s.cv = sync.NewCond(&s.mu)
	s.initServerWorkers()
	return s
}

func (s *Server) initServerWorkers() {
	s.serverWorkerChannel = make(chan func())
	for i := 0; i < s.numServerWorkers; i++ {
		go s.serverWorker()
	}
}

func (s *Server) serverWorker() {
	for f := range s.serverWorkerChannel {
		f()
	}
}

func (s *Server) stopServerWorkers() {
	close(s.serverWorkerChannel) // truth:closer
}

func (s *Server) handleStream(st *serverTransport, stream *Stream) {
	time.Sleep(time.Millisecond) // the method handler
	s.mu.Lock()
	s.handled++
	s.mu.Unlock()
}

// serveStreams dispatches the connection's streams to the workers.
func (s *Server) serveStreams(st *serverTransport) {
	var wg sync.WaitGroup
	st.HandleStreams(func(stream *Stream) {
		wg.Add(1)
		f := func() {
			defer wg.Done()
			s.handleStream(st, stream)
		}
		if s.numServerWorkers > 0 {
			select {
			case s.serverWorkerChannel <- f: // truth:sender truth:victim
				return
			default:
				// All workers are busy: fall back to a new goroutine.
			}
		}
		go f()
	})
	wg.Wait()
	s.mu.Lock()
	delete(s.conns, st)
	s.cv.Broadcast()
	s.mu.Unlock()
}

func (s *Server) ServeConn(c net.Conn) {
	st := &serverTransport{conn: c}
	s.mu.Lock()
	s.conns[st] = true
	s.mu.Unlock()
	go s.serveStreams(st)
}

// GracefulStop stops the workers, asks every connection to drain and waits.
func (s *Server) GracefulStop() {
	s.stopServerWorkers()
	s.mu.Lock()
	for st := range s.conns {
		st.Drain()
	}
	for len(s.conns) != 0 {
		s.cv.Wait()
	}
	s.mu.Unlock()
}

// Stop closes everything at once.
func (s *Server) Stop() {
	s.stopServerWorkers()
	s.mu.Lock()
	for st := range s.conns {
		st.conn.Close()
	}
	s.mu.Unlock()
}

// client opens a stream every 20 ms and ignores GOAWAY (an old client).
func client(c net.Conn, method string) {
	go func() {
		buf := make([]byte, 256)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	for id := 1; ; id += 2 {
		if _, err := c.Write([]byte("HEADERS " + strconv.Itoa(id) + " " + method + "\n")); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func main() {
	s := NewServer(4)
	serverEnd, clientEnd := net.Pipe()
	s.ServeConn(serverEnd)
	go client(clientEnd, "/helloworld.Greeter/SayHello")

	sigterm := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		<-sigterm
		s.GracefulStop()
		close(stopped)
	}()
	time.Sleep(70 * time.Millisecond)
	close(sigterm)

	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		s.Stop()
	}
}
