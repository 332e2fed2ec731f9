// Command conn-pool models a database connection pool with an idle reaper, in
// the style of database/sql's connectionCleaner and many hand-written pools.
// Every pooled connection has a done channel that its keepalive goroutine
// watches. Two code paths close it: the reaper, for connections idle longer
// than maxIdle (after telling the server goodbye), and Pool.Close, for every
// connection the pool knows. The reaper takes its list of expired connections
// under the lock and closes them after releasing it.
//
// The admin endpoint shuts the pool down (Pool.Close closes every done
// channel; the handler goroutine then exits) while the reaper is in the middle
// of saying goodbye to an expired connection; the reaper then closes the same
// done channel and panics with "close of closed channel".
package main

import (
	"errors"
	"strconv"
	"sync"
	"time"
)

type conn struct {
	id       int
	addr     string
	done     chan struct{} // closed when the connection is discarded
	lastUsed time.Time
	pings    int
}

// quit sends COM_QUIT and waits for the server to hang up.
func (c *conn) quit() error {
	time.Sleep(300 * time.Millisecond)
	if c.addr == "" {
		return errors.New("no address")
	}
	return nil
}

func (c *conn) keepalive(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.pings++
		case <-c.done:
			return
		}
	}
}

// Pool keeps idle connections for reuse.
type Pool struct {
	mu      sync.Mutex
	addr    string
	idle    []*conn
	all     map[int]*conn
	nextID  int
	maxIdle time.Duration
	closed  bool
}

func NewPool(addr string, maxIdle, reapEvery time.Duration) *Pool {
	p := &Pool{addr: addr, all: make(map[int]*conn), maxIdle: maxIdle}
	go p.reaper(reapEvery)
	return p
}

func (p *Pool) Get() *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		return c
	}
	p.nextID++
	c := &conn{id: p.nextID, addr: p.addr, done: make(chan struct{}), lastUsed: time.Now()}
	p.all[c.id] = c
	go c.keepalive(10 * time.Millisecond)
	return c
}

func (p *Pool) Put(c *conn) {
	p.mu.Lock()
	c.lastUsed = time.Now()
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// reaper discards connections that stayed idle longer than maxIdle.
func (p *Pool) reaper(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return
		}
		var expired []*conn
		kept := p.idle[:0]
		for _, c := range p.idle {
			if time.Since(c.lastUsed) > p.maxIdle {
				expired = append(expired, c)
			} else {
				kept = append(kept, c)
			}
		}
		p.idle = kept
		p.mu.Unlock()
		for _, c := range expired {
			c.quit()
			close(c.done) // truth:closer truth:victim
			p.mu.Lock()
			delete(p.all, c.id)
			p.mu.Unlock()
		}
	}
}

// Close discards every connection of the pool.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for id, c := range p.all {
		close(c.done) // truth:closer
		delete(p.all, id)
	}
	p.idle = nil
	return nil
}

type adminRequest struct {
	path string
}

// serveAdmin handles one admin request in its own goroutine.
func serveAdmin(p *Pool, req adminRequest, wg *sync.WaitGroup) {
	defer wg.Done()
	switch req.path {
	case "/debug/pool/close":
		p.Close()
	}
}

func main() {
	p := NewPool("10.0.3.7:3306", 20*time.Millisecond, 40*time.Millisecond)
	// A burst of queries, then the pool sits idle.
	var conns []*conn
	for i := 0; i < 3; i++ {
		conns = append(conns, p.Get())
	}
	for _, c := range conns {
		p.Put(c)
	}
	// The reaper finds them expired at 40 ms and starts saying goodbye.
	time.Sleep(200 * time.Millisecond)
	var wg sync.WaitGroup
	wg.Add(1)
	go serveAdmin(p, adminRequest{path: "/debug/pool/close"}, &wg)
	wg.Wait()
	time.Sleep(time.Second)
	_ = strconv.Itoa(len(conns))
}
