// Command bench-report models etcd's benchmark tool (issue 8056): client
// goroutines send one Result per request attempt on the report's results
// channel, and the report goroutine, which expects exactly `total` results,
// closes results when it has counted that many and goes on to compute the
// statistics. A retried request reports twice (the failed attempt and the
// retry), so the count is reached before the clients are done: the last
// client's result is sent on the closed channel and panics with "send on
// closed channel" at the first check of runtime.chansend. The report goroutine
// is still alive, computing percentiles.
package main

import (
	"errors"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Result is one request attempt.
type Result struct {
	Err      error
	Start    time.Time
	End      time.Time
	Attempt  int
	Endpoint string
}

func (r Result) Duration() time.Duration { return r.End.Sub(r.Start) }

type report struct {
	total   int
	results chan Result
	lats    []time.Duration
	errs    map[string]int
	done    chan string
}

func newReport(total int) *report {
	return &report{total: total, results: make(chan Result, 16), errs: make(map[string]int), done: make(chan string, 1)}
}

// collect counts the results and closes the channel once it has them all.
func (r *report) collect() {
	n := 0
	for res := range r.results {
		n++
		if res.Err != nil {
			r.errs[res.Err.Error()]++
		} else {
			r.lats = append(r.lats, res.Duration())
		}
		if n == r.total {
			close(r.results) // truth:closer
		}
	}
	r.done <- r.summary()
}

func (r *report) summary() string {
	sort.Slice(r.lats, func(i, j int) bool { return r.lats[i] < r.lats[j] })
	time.Sleep(500 * time.Millisecond) // histogram and percentiles over millions of samples
	if len(r.lats) == 0 {
		return "no successful requests"
	}
	return "p50=" + r.lats[len(r.lats)/2].String()
}

type kvClient struct {
	endpoint string
	failOnce map[int]bool
	mu       sync.Mutex
}

func (c *kvClient) Put(key int) error {
	time.Sleep(50 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failOnce[key] {
		delete(c.failOnce, key)
		return errors.New("etcdserver: request timed out")
	}
	return nil
}

// doPut runs requests from the queue, retrying failures, and reports every attempt.
func doPut(c *kvClient, requests <-chan int, results chan<- Result, wg *sync.WaitGroup) {
	defer wg.Done()
	for key := range requests {
		for attempt := 1; ; attempt++ {
			st := time.Now()
			err := c.Put(key)
			results <- Result{Err: err, Start: st, End: time.Now(), Attempt: attempt, Endpoint: c.endpoint} // truth:sender truth:victim
			if err == nil {
				break
			}
		}
	}
}

func main() {
	const total, clients = 8, 2
	r := newReport(total)
	go r.collect()

	requests := make(chan int, total)
	for i := 0; i < total; i++ {
		requests <- i
	}
	close(requests)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		c := &kvClient{endpoint: "http://127.0.0.1:" + strconv.Itoa(2379+i), failOnce: map[int]bool{0: true, 1: true}}
		go doPut(c, requests, r.results, &wg)
	}
	wg.Wait()
	<-r.done
}
