// Command not-channel-panic is a control: a request-routing service full of
// channels (a request queue, reply channels, a done channel) that crashes for
// a reason unrelated to any of them. A tenant created through the admin path
// has no counters map, and the first request for it writes to the nil map:
// "assignment to entry in nil map" from the handler.
package main

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Request is one API call routed to a tenant.
type Request struct {
	Tenant string
	Path   string
	Reply  chan Reply
}

type Reply struct {
	Status int
	Body   string
}

type tenantStats struct {
	mu       sync.Mutex
	requests int64
	counters map[string]int64 // per path
}

type Router struct {
	mu      sync.RWMutex
	tenants map[string]*tenantStats
	queue   chan *Request
}

func newTenantStats() *tenantStats { return &tenantStats{counters: make(map[string]int64)} }

// addTenantFromAdmin is the second way tenants are created; it forgets the map.
func (rt *Router) addTenantFromAdmin(name string) {
	rt.mu.Lock()
	rt.tenants[name] = &tenantStats{}
	rt.mu.Unlock()
}

// handle serves one request.
func (rt *Router) handle(r *Request) Reply {
	rt.mu.RLock()
	st := rt.tenants[r.Tenant]
	rt.mu.RUnlock()
	if st == nil {
		return Reply{Status: 404, Body: "unknown tenant " + r.Tenant}
	}
	st.mu.Lock()
	st.requests++
	st.counters[r.Path]++ // truth:victim
	st.mu.Unlock()
	return Reply{Status: 200, Body: strconv.FormatInt(st.requests, 10)}
}

// serve is one of the router's handler goroutines.
func (rt *Router) serve(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-rt.queue:
			r.Reply <- rt.handle(r)
		}
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt := &Router{tenants: map[string]*tenantStats{"acme": newTenantStats()}, queue: make(chan *Request, 32)}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go rt.serve(ctx, &wg)
	}

	call := func(tenant, path string) Reply {
		r := &Request{Tenant: tenant, Path: path, Reply: make(chan Reply, 1)}
		rt.queue <- r
		select {
		case rep := <-r.Reply:
			return rep
		case <-time.After(time.Second):
			return Reply{Status: 504}
		}
	}
	for i := 0; i < 5; i++ {
		call("acme", "/v1/orders")
	}
	rt.addTenantFromAdmin("globex")
	call("globex", "/v1/orders")
	cancel()
	wg.Wait()
}
