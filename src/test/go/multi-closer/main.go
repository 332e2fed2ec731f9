// Command multi-closer models a metrics collector whose results channel has one
// sender (the scrape loop) but two closers in two goroutine roots: a stall
// watchdog that gives up when the aggregator stops consuming, and the admin
// "/-/quit" handler (the shape of prometheus#8144 and moby#24007).
//
// The aggregator stalls on a slow remote write, the results buffer fills, the
// scrape loop parks on its send, and the watchdog closes the channel under it:
// the parked sender is woken by the close and panics with
// "send on closed channel" from runtime.chansend after gopark.
package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Sample is one scraped value.
type Sample struct {
	Target string
	Value  float64
	At     time.Time
}

type adminRequest struct {
	path  string
	reply chan error
}

// Collector scrapes targets and hands samples to an aggregator.
type Collector struct {
	targets  []string
	results  chan Sample
	progress chan struct{}

	mu     sync.Mutex
	totals map[string]float64
	remote *remoteStorage
}

type remoteStorage struct {
	mu      sync.Mutex
	latency time.Duration
	written int
}

// Append simulates a remote-write round trip that is slow on the fourth batch.
func (r *remoteStorage) Append(s Sample) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written++
	d := r.latency
	if r.written == 4 {
		d = 2 * time.Second // the remote end is unhealthy
	}
	time.Sleep(d)
	if s.Value < 0 {
		return errors.New("negative sample")
	}
	return nil
}

func NewCollector(targets []string) *Collector {
	return &Collector{
		targets:  targets,
		results:  make(chan Sample, 4),
		progress: make(chan struct{}, 1),
		totals:   make(map[string]float64),
		remote:   &remoteStorage{latency: time.Millisecond},
	}
}

func scrape(ctx context.Context, target string, i int) (float64, error) {
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(2 * time.Millisecond):
	}
	return float64(len(target)*1000 + i), nil
}

// scrapeLoop is the only goroutine that sends on results.
func (c *Collector) scrapeLoop(ctx context.Context) {
	for i := 0; ; i++ {
		target := c.targets[i%len(c.targets)]
		v, err := scrape(ctx, target, i)
		if err != nil {
			return
		}
		c.results <- Sample{Target: target, Value: v, At: time.Now()} // truth:sender truth:victim
	}
}

// aggregate consumes samples and reports progress to the watchdog.
func (c *Collector) aggregate() {
	for s := range c.results {
		if err := c.remote.Append(s); err != nil {
			continue
		}
		c.mu.Lock()
		c.totals[s.Target] += s.Value
		c.mu.Unlock()
		select {
		case c.progress <- struct{}{}:
		default:
		}
	}
}

// watchdog shuts the pipeline down when the aggregator makes no progress.
func (c *Collector) watchdog(stall time.Duration) {
	t := time.NewTimer(stall)
	defer t.Stop()
	for {
		select {
		case <-c.progress:
			t.Reset(stall)
		case <-t.C:
			close(c.results) // truth:closer
			return
		}
	}
}

// serveAdmin handles admin requests; "/-/quit" also shuts the pipeline down.
func (c *Collector) serveAdmin(reqs <-chan adminRequest) {
	for req := range reqs {
		switch req.path {
		case "/-/quit":
			close(c.results) // truth:closer
			req.reply <- nil
		case "/-/healthy":
			req.reply <- nil
		default:
			req.reply <- errors.New("404 " + req.path)
		}
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	targets := make([]string, 0, 8)
	for i := 0; i < 8; i++ {
		targets = append(targets, "node-exporter-"+strconv.Itoa(i)+":9100")
	}
	c := NewCollector(targets)

	admin := make(chan adminRequest)
	go c.serveAdmin(admin)
	go c.aggregate()
	go c.watchdog(300 * time.Millisecond)
	go c.scrapeLoop(ctx)

	// An operator asks for a health check, and would ask to quit much later.
	reply := make(chan error, 1)
	admin <- adminRequest{path: "/-/healthy", reply: reply}
	<-reply
	select {
	case <-time.After(5 * time.Second):
		admin <- adminRequest{path: "/-/quit", reply: reply}
		<-reply
	case <-ctx.Done():
	}
}
