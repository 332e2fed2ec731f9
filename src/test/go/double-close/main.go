// Command double-close models an RPC client connection whose Close is reached
// from two paths: the read loop calls it when the peer hangs up (EOF), and the
// owner's shutdown calls it again during cleanup (the shape of kubernetes#20566,
// grpc-go#5786, cockroach#34572). Nobody sends on the closed channel; it is a
// "connection closed" signal.
//
// The second Close panics with "close of closed channel" in runtime.closechan.
package main

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Response is one reply line from the server.
type Response struct {
	ID   uint64
	Body string
}

// Conn multiplexes calls over one connection.
type Conn struct {
	nc     net.Conn
	closed chan struct{} // closed when the connection is gone

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan *Response
}

func Dial(nc net.Conn) *Conn {
	c := &Conn{nc: nc, closed: make(chan struct{}), pending: make(map[uint64]chan *Response)}
	go c.readLoop()
	return c
}

// Close tears the connection down.
func (c *Conn) Close() error {
	close(c.closed) // truth:closer truth:victim
	return c.nc.Close()
}

// Call sends a request and waits for its reply or for the connection to close.
func (c *Conn) Call(method string) (*Response, error) {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan *Response, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	if _, err := c.nc.Write([]byte(strconv.FormatUint(id, 10) + " " + method + "\n")); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-c.closed:
		return nil, errors.New("connection closed")
	}
}

// readLoop dispatches replies; on EOF it closes the connection.
func (c *Conn) readLoop() {
	br := bufio.NewReader(c.nc)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.Close()
			return
		}
		idStr, body, _ := strings.Cut(strings.TrimSpace(line), " ")
		id, _ := strconv.ParseUint(idStr, 10, 64)
		c.mu.Lock()
		ch := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if ch != nil {
			ch <- &Response{ID: id, Body: body}
		}
	}
}

// serve answers two requests and then the server goes away.
func serve(nc net.Conn) {
	br := bufio.NewReader(nc)
	for i := 0; i < 2; i++ {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		id, _, _ := strings.Cut(line, " ")
		nc.Write([]byte(id + " ok\n"))
	}
	nc.Close()
}

// Client owns the connection.
type Client struct {
	conn *Conn
	wg   sync.WaitGroup
}

// Shutdown releases everything the client owns.
func (cl *Client) Shutdown() {
	cl.wg.Wait()
	cl.conn.Close()
}

func main() {
	clientEnd, serverEnd := net.Pipe()
	go serve(serverEnd)
	cl := &Client{conn: Dial(clientEnd)}
	for _, m := range []string{"Health.Check", "KV.Get"} {
		cl.wg.Add(1)
		go func(m string) {
			defer cl.wg.Done()
			cl.conn.Call(m)
		}(m)
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	cl.Shutdown()
}
