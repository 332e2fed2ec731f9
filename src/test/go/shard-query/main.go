// Command shard-query models a search service's query handler (the shape of
// knative serving PR 5865 and countless scatter-gather handlers): Query starts
// one goroutine per shard, collects their results on a channel it closes with
// defer, and returns early on the first shard error. The shards still running
// send their results after Query has returned; the first of them panics with
// "send on closed channel" at the first check of runtime.chansend. The
// goroutine that ran Query is alive, back in its serve loop waiting for the
// next request.
package main

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"time"
)

// Hit is one search result.
type Hit struct {
	DocID string
	Score float64
}

type shardResult struct {
	shard int
	hits  []Hit
	err   error
}

// Shard is one partition of the index.
type Shard struct {
	ID      int
	Latency time.Duration
	Down    bool
}

func (s *Shard) Search(ctx context.Context, q string) ([]Hit, error) {
	time.Sleep(s.Latency)
	if s.Down {
		return nil, errors.New("shard " + strconv.Itoa(s.ID) + ": connection refused")
	}
	hits := make([]Hit, 0, 3)
	for i := 0; i < 3; i++ {
		hits = append(hits, Hit{DocID: q + "-" + strconv.Itoa(s.ID*100+i), Score: float64(10-i) / float64(s.ID+1)})
	}
	return hits, nil
}

type Querier struct {
	shards []*Shard
}

func (q *Querier) searchShard(ctx context.Context, s *Shard, query string, out chan<- shardResult) {
	hits, err := s.Search(ctx, query)
	out <- shardResult{shard: s.ID, hits: hits, err: err} // truth:sender truth:victim
}

// Query fans the query out to every shard and merges the hits.
func (q *Querier) Query(ctx context.Context, query string) ([]Hit, error) {
	results := make(chan shardResult)
	defer close(results) // truth:closer
	for _, s := range q.shards {
		go q.searchShard(ctx, s, query, results)
	}
	var merged []Hit
	for range q.shards {
		r := <-results
		if r.err != nil {
			return nil, r.err
		}
		merged = append(merged, r.hits...)
	}
	sort.Slice(merged, func(i, j int) bool { return merged[i].Score > merged[j].Score })
	return merged, nil
}

type request struct {
	query string
	reply chan<- response
}

type response struct {
	hits []Hit
	err  error
}

// serve handles requests one at a time.
func (q *Querier) serve(reqs <-chan request) {
	for req := range reqs {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		hits, err := q.Query(ctx, req.query)
		cancel()
		req.reply <- response{hits: hits, err: err}
	}
}

func main() {
	q := &Querier{shards: []*Shard{
		{ID: 0, Latency: 5 * time.Millisecond},
		{ID: 1, Latency: 15 * time.Millisecond, Down: true},
		{ID: 2, Latency: 200 * time.Millisecond},
		{ID: 3, Latency: 250 * time.Millisecond},
	}}
	reqs := make(chan request)
	go q.serve(reqs)
	reply := make(chan response, 1)
	reqs <- request{query: "golang channels", reply: reply}
	<-reply
	time.Sleep(time.Second)
}
