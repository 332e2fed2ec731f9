// Command shipper-closure-withconn models a log shipper. A tailer goroutine
// sends lines on the shipper's queue. Stop writes a final marker line through
// withConn, a helper that runs a callback while holding the connection, and
// then closes the queue. The tailer is not told to stop first, so its next
// line panics with "send on closed channel".
package main

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

type line struct {
	conn int
	text string
}

type conn struct {
	id    int
	bytes int
}

// Shipper forwards log lines to a collector connection.
type Shipper struct {
	mu    sync.Mutex
	c     *conn
	lines chan line
	dials int
}

// withConn runs fn with the current connection, dialing one if needed.
func (s *Shipper) withConn(fn func(c *conn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		s.dials++
		s.c = &conn{id: s.dials}
	}
	fn(s.c)
}

// Stop writes the end marker and closes the queue.
func (s *Shipper) Stop(reason string) {
	s.withConn(func(c *conn) {
		s.lines <- line{conn: c.id, text: "-- shipper stopped: " + reason + " --"}
	})
	close(s.lines) // truth:closer
}

// tail follows a log file and queues each new line.
func (s *Shipper) tail(path string) {
	for i := 0; ; i++ {
		time.Sleep(time.Millisecond)
		text := fmt.Sprintf("%s: GET /healthz 200 %dus", path, 100+i%37)
		s.lines <- line{text: strings.TrimSpace(text)} // truth:sender truth:victim
	}
}

func (s *Shipper) forward(done chan<- int) {
	n := 0
	for l := range s.lines {
		n += len(l.text)
	}
	done <- n
}

func main() {
	s := &Shipper{lines: make(chan line, 16)}
	done := make(chan int, 1)
	go s.forward(done)
	go s.tail("/var/log/app/access.log")
	time.Sleep(25 * time.Millisecond)
	s.Stop("config reload")
	fmt.Println("forwarded", <-done)
	time.Sleep(time.Second)
}
