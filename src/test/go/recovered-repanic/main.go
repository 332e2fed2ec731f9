// Command recovered-repanic models an API gateway's scatter-gather: fanout
// calls every backend in its own goroutine and collects the replies until the
// request timeout, when it closes the reply channel "to release the
// stragglers" and returns what it has. A slow backend's goroutine then sends
// on the closed channel (send on closed channel, first check in
// runtime.chansend). The gateway runs every goroutine through safeGo, which
// recovers a panic, counts it and re-panics, so the crash prints the panic as
// recovered and re-panicked, and the original panic sits below the re-panic
// on the goroutine's stack and in its panic chain.
package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

type Request struct {
	Method string
	Path   string
}

// Reply is one backend's answer.
type Reply struct {
	Backend string
	Body    []byte
	Err     error
}

type Backend struct {
	Name    string
	Latency time.Duration
}

// Call does not watch ctx: the backend client predates contexts.
func (b *Backend) Call(ctx context.Context, req Request) ([]byte, error) {
	time.Sleep(b.Latency)
	if req.Path == "" {
		return nil, errors.New("empty path")
	}
	return []byte(b.Name + " " + req.Method + " " + req.Path), nil
}

type Gateway struct {
	backends []*Backend
	timeout  time.Duration
	panics   atomic.Int64
}

// safeGo runs f in a goroutine and accounts for its panics before crashing.
func (g *Gateway) safeGo(f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				g.panics.Add(1)
				panic(r)
			}
		}()
		f()
	}()
}

// fanout asks every backend and returns the replies that arrived in time.
func (g *Gateway) fanout(ctx context.Context, req Request) []Reply {
	replies := make(chan Reply)
	for _, b := range g.backends {
		g.safeGo(func() {
			body, err := b.Call(ctx, req)
			replies <- Reply{Backend: b.Name, Body: body, Err: err} // truth:sender truth:victim
		})
	}
	timer := time.NewTimer(g.timeout)
	defer timer.Stop()
	var out []Reply
	for range g.backends {
		select {
		case r := <-replies:
			out = append(out, r)
		case <-timer.C:
			close(replies) // truth:closer
			return out
		}
	}
	return out
}

func main() {
	g := &Gateway{
		timeout: 50 * time.Millisecond,
		backends: []*Backend{
			{Name: "inventory", Latency: 5 * time.Millisecond},
			{Name: "pricing", Latency: 10 * time.Millisecond},
			{Name: "recommendations", Latency: 300 * time.Millisecond},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	g.fanout(ctx, Request{Method: "GET", Path: "/v1/products/42"})
	time.Sleep(2 * time.Second)
}
