// Command stats-receiver models the autoscaler's stats receiver of knative
// serving (PR 5865): Run accepts websocket connections from the queue proxies
// and starts a handler goroutine per connection; each handler decodes stat
// messages and forwards them on the receiver's stat channel with a select on
// the connection's own closed channel. Run closes the stat channel with defer
// when the receiver is stopped, while connection handlers are still
// forwarding.
//
// The autoscaler's consumer is busy, so a handler is blocked in its forwarding
// select when the receiver stops: Run returns, its deferred close wakes the
// handler, which panics with "send on closed channel" in runtime.selectgo. The
// goroutine that ran Run has exited.
package main

import (
	"strconv"
	"sync"
	"time"
)

// Stat is one queue-proxy metrics report.
type Stat struct {
	PodName                   string
	AverageConcurrentRequests float64
	RequestCount              float64
	Time                      time.Time
}

// wsConn is a websocket connection from a queue proxy.
type wsConn struct {
	pod    string
	frames chan []byte
	closed chan struct{}
}

func (c *wsConn) ReadMessage() ([]byte, bool) {
	select {
	case f := <-c.frames:
		return f, true
	case <-c.closed:
		return nil, false
	}
}

// Receiver turns websocket messages into stats.
type Receiver struct {
	statCh chan Stat
	conns  chan *wsConn
	mu     sync.Mutex
	active map[string]*wsConn
}

func NewReceiver() *Receiver {
	return &Receiver{statCh: make(chan Stat), conns: make(chan *wsConn), active: make(map[string]*wsConn)}
}

func decode(pod string, b []byte) Stat {
	n, _ := strconv.Atoi(string(b))
	return Stat{PodName: pod, AverageConcurrentRequests: float64(n) / 10, RequestCount: float64(n), Time: time.Now()}
}

// handleConn forwards the connection's stats until the connection closes.
func (r *Receiver) handleConn(c *wsConn) {
	for {
		msg, ok := c.ReadMessage()
		if !ok {
			return
		}
		select { // truth:sender truth:victim
		case r.statCh <- decode(c.pod, msg):
		case <-c.closed:
			return
		}
	}
}

// Run accepts connections until stopCh is closed.
func (r *Receiver) Run(stopCh <-chan struct{}) {
	defer close(r.statCh) // truth:closer
	for {
		select {
		case <-stopCh:
			return
		case c := <-r.conns:
			r.mu.Lock()
			r.active[c.pod] = c
			r.mu.Unlock()
			go r.handleConn(c)
		}
	}
}

// autoscaler consumes stats; computing a decision takes a while.
func autoscaler(stats <-chan Stat, decide time.Duration) {
	for s := range stats {
		_ = s.AverageConcurrentRequests
		time.Sleep(decide)
	}
}

func main() {
	r := NewReceiver()
	stopCh := make(chan struct{})
	go r.Run(stopCh)
	go autoscaler(r.statCh, 500*time.Millisecond)

	pods := []string{"helloworld-00001-deployment-7d4b9-abcde", "helloworld-00001-deployment-7d4b9-fghij"}
	var conns []*wsConn
	for _, p := range pods {
		c := &wsConn{pod: p, frames: make(chan []byte, 16), closed: make(chan struct{})}
		conns = append(conns, c)
		r.conns <- c
	}
	for i := 0; i < 3; i++ {
		for _, c := range conns {
			c.frames <- []byte(strconv.Itoa(10 + i))
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(120 * time.Millisecond)
	close(stopCh) // the autoscaler loses leadership and stops its receiver
	time.Sleep(time.Second)
}
