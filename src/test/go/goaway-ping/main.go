// Command goaway-ping models grpc-go issue 5786 (PR 5854): during graceful
// shutdown the HTTP/2 server sends a GOAWAY followed by a PING carrying a
// special payload, and when the client acknowledges that PING the server's
// reader goroutine closes drainChan to let the controlbuf writer send the
// final GOAWAY. A misbehaving client acknowledges the PING twice; the reader's
// handlePing closes drainChan a second time and panics with "close of closed
// channel" in runtime.closechan. The same goroutine closed it the first time.
package main

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

const (
	frameData   = 0x0
	framePing   = 0x6
	frameGoAway = 0x7
	flagAck     = 0x1
)

// Frame is a decoded HTTP/2 frame (a small subset).
type Frame struct {
	Type     uint8
	Flags    uint8
	StreamID uint32
	Payload  [8]byte
}

func writeFrame(w io.Writer, f Frame) error {
	var b [17]byte
	b[0] = f.Type
	b[1] = f.Flags
	binary.BigEndian.PutUint32(b[2:6], f.StreamID)
	copy(b[6:14], f.Payload[:])
	_, err := w.Write(b[:])
	return err
}

func readFrame(r io.Reader) (Frame, error) {
	var b [17]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return Frame{}, err
	}
	f := Frame{Type: b[0], Flags: b[1], StreamID: binary.BigEndian.Uint32(b[2:6])}
	copy(f.Payload[:], b[6:14])
	return f, nil
}

var goAwayPing = [8]byte{1, 6, 1, 8, 0, 3, 3, 9}

// http2Server is the server side of one connection.
type http2Server struct {
	conn      net.Conn
	mu        sync.Mutex
	drainChan chan struct{} // closed when the client acked the GOAWAY ping
	draining  bool
	pings     int
	writeMu   sync.Mutex
}

func (t *http2Server) write(f Frame) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	return writeFrame(t.conn, f)
}

// Drain starts a graceful shutdown: GOAWAY, then a PING whose ack tells the
// server that the client has seen the GOAWAY.
func (t *http2Server) Drain() {
	t.mu.Lock()
	if t.draining {
		t.mu.Unlock()
		return
	}
	t.draining = true
	t.drainChan = make(chan struct{})
	t.mu.Unlock()
	t.write(Frame{Type: frameGoAway, StreamID: 1<<31 - 1})
	t.write(Frame{Type: framePing, Payload: goAwayPing})
	go t.finishDrain()
}

// finishDrain sends the final GOAWAY once the ping was acknowledged.
func (t *http2Server) finishDrain() {
	select {
	case <-t.drainChan:
		t.write(Frame{Type: frameGoAway, StreamID: 3})
	case <-time.After(time.Second):
		t.conn.Close()
	}
}

func (t *http2Server) handlePing(f Frame) {
	if f.Flags&flagAck != 0 {
		if f.Payload == goAwayPing && t.drainChan != nil {
			close(t.drainChan) // truth:closer truth:victim
			return
		}
		t.pings--
		return
	}
	t.pings++
	t.write(Frame{Type: framePing, Flags: flagAck, Payload: f.Payload})
}

// HandleStreams is the connection's reader goroutine.
func (t *http2Server) HandleStreams() error {
	for {
		f, err := readFrame(t.conn)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		switch f.Type {
		case framePing:
			t.handlePing(f)
		case frameGoAway:
			return nil
		case frameData:
		}
	}
}

// swiftClient acknowledges every PING twice (the client bug behind 5786).
func swiftClient(c net.Conn) {
	for {
		f, err := readFrame(c)
		if err != nil {
			return
		}
		if f.Type == framePing && f.Flags&flagAck == 0 {
			ack := Frame{Type: framePing, Flags: flagAck, Payload: f.Payload}
			writeFrame(c, ack)
			time.Sleep(5 * time.Millisecond)
			writeFrame(c, ack)
		}
	}
}

func main() {
	serverEnd, clientEnd := net.Pipe()
	t := &http2Server{conn: serverEnd}
	go swiftClient(clientEnd)
	errc := make(chan error, 1)
	go func() { errc <- t.HandleStreams() }()

	// Some traffic, then the server's GracefulStop.
	time.Sleep(20 * time.Millisecond)
	t.Drain()
	select {
	case <-errc:
	case <-time.After(2 * time.Second):
	}
}
