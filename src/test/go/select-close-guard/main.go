// Command select-close-guard models a container log copier (moby PR 24007)
// whose Close guards the close of its "closed" channel with a select-default
// check. The check and the close are not atomic: when the container exits, the
// container monitor closes the copier, and the daemon's shutdown closes every
// copier at the same moment. Both goroutines see the channel open, both take
// the default branch (which flushes buffered lines first), and the second
// close panics with "close of closed channel" in runtime.closechan.
package main

import (
	"bytes"
	"strconv"
	"sync"
	"time"
)

// Message is one log line from a container stream.
type Message struct {
	Line      []byte
	Source    string
	Timestamp time.Time
}

// logDriver is a slow log sink (think syslog over TCP).
type logDriver struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	pending []*Message
}

func (d *logDriver) Log(m *Message) {
	d.mu.Lock()
	d.pending = append(d.pending, m)
	d.mu.Unlock()
}

// Flush writes the pending lines out; the network write takes a while.
func (d *logDriver) Flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range d.pending {
		d.buf.Write(m.Line)
	}
	d.pending = d.pending[:0]
	time.Sleep(50 * time.Millisecond)
}

// Copier copies a container's stdout/stderr to its log driver.
type Copier struct {
	id     string
	dst    *logDriver
	lines  chan *Message
	closed chan struct{}
	copyWG sync.WaitGroup
}

func NewCopier(id string, dst *logDriver) *Copier {
	return &Copier{id: id, dst: dst, lines: make(chan *Message, 16), closed: make(chan struct{})}
}

func (c *Copier) Run() {
	c.copyWG.Add(1)
	go func() {
		defer c.copyWG.Done()
		for {
			select {
			case m := <-c.lines:
				c.dst.Log(m)
			case <-c.closed:
				return
			}
		}
	}()
}

// Close stops the copier. It is meant to be safe to call more than once.
func (c *Copier) Close() {
	select {
	case <-c.closed:
	default:
		c.dst.Flush()
		close(c.closed) // truth:closer truth:victim
	}
}

type container struct {
	id     string
	copier *Copier
	exited chan int
}

// monitor waits for the container process to exit and releases its logging.
func monitor(ctr *container) {
	code := <-ctr.exited
	_ = code
	ctr.copier.Close()
}

type daemon struct {
	mu         sync.Mutex
	containers map[string]*container
}

// Shutdown stops every container's logging.
func (d *daemon) Shutdown() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ctr := range d.containers {
		ctr.copier.Close()
	}
}

func main() {
	drv := &logDriver{}
	d := &daemon{containers: make(map[string]*container)}
	ctr := &container{id: "4f2a9c", exited: make(chan int, 1)}
	ctr.copier = NewCopier(ctr.id, drv)
	ctr.copier.Run()
	d.containers[ctr.id] = ctr
	go monitor(ctr)

	for i := 0; i < 8; i++ {
		ctr.copier.lines <- &Message{Line: []byte("line " + strconv.Itoa(i) + "\n"), Source: "stdout", Timestamp: time.Now()}
	}
	time.Sleep(10 * time.Millisecond)

	// SIGTERM: the container's init exits and the daemon shuts down together.
	ctr.exited <- 143
	time.Sleep(time.Millisecond)
	d.Shutdown()
	time.Sleep(time.Second)
}
