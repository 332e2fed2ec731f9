// Command conn-readloop-keepalive models a client connection whose incoming
// message channel has two closers: the read loop closes it when the server
// hangs up, and the keepalive loop closes it when too many pings go
// unanswered. Decoding happens in a goroutine per frame. The server hangs up,
// the read loop closes incoming and returns; a decoder that finishes after
// that panics with "send on closed channel". The keepalive loop is still
// waiting in its select, before its close, when the process dies.
package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"
)

// Message is a decoded server message.
type Message struct {
	Stream uint32
	Body   string
}

type frame struct {
	stream uint32
	raw    []byte
}

// Conn is one client connection.
type Conn struct {
	src      io.Reader
	incoming chan Message
	pongs    chan struct{}
	lastPong atomic.Int64
}

func (c *Conn) readFrame() (frame, error) {
	buf := make([]byte, 16)
	n, err := c.src.Read(buf)
	if err != nil {
		return frame{}, err
	}
	if n > 0 && buf[0] == 'P' {
		c.pongs <- struct{}{}
	}
	return frame{stream: uint32(n), raw: buf[:n]}, nil
}

// readLoop reads frames until the server hangs up.
func (c *Conn) readLoop() {
	for {
		f, err := c.readFrame()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Println("read:", err)
			}
			close(c.incoming) // truth:closer
			return
		}
		go c.decode(f)
	}
}

// decode turns a frame into a message; large frames take a while.
func (c *Conn) decode(f frame) {
	time.Sleep(time.Duration(len(f.raw)) * 2 * time.Millisecond)
	c.incoming <- Message{Stream: f.stream, Body: strings.ToUpper(string(f.raw))} // truth:sender truth:victim
}

// keepalive closes the connection's messages when pings go unanswered.
func (c *Conn) keepalive(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	missed := 0
	for {
		select {
		case <-t.C:
			missed++
			if missed > 5 {
				fmt.Println("keepalive: server not answering")
				close(c.incoming) // truth:closer
				return
			}
		case <-c.pongs:
			missed = 0
		}
	}
}

type slowReader struct {
	r io.Reader
}

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(3 * time.Millisecond)
	return s.r.Read(p)
}

func main() {
	wire := "P" + strings.Repeat("x", 15) + "hello" + "P" + "tiny" + strings.Repeat("y", 16)
	c := &Conn{src: slowReader{strings.NewReader(wire)}, incoming: make(chan Message, 4), pongs: make(chan struct{}, 1)}
	go c.keepalive(20 * time.Millisecond)
	go c.readLoop()
	for m := range c.incoming {
		fmt.Printf("stream %d: %q\n", m.Stream, m.Body)
	}
	time.Sleep(time.Second)
}
