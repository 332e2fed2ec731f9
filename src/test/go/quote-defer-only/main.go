// Command quote-defer-only models a price aggregator. bestQuote asks every
// provider in its own goroutine, collects answers until its deadline, and
// closes the answers channel with a defer when it returns. A slow provider
// answers after the deadline and panics with "send on closed channel". The
// deferred close is the only close in the program.
package main

import (
	"context"
	"fmt"
	"time"
)

type quote struct {
	provider string
	price    float64
}

type provider struct {
	name    string
	latency time.Duration
	base    float64
}

func (p provider) fetch(symbol string) float64 {
	time.Sleep(p.latency)
	return p.base + float64(len(symbol))/100
}

// bestQuote returns the lowest price answered before ctx ends.
func bestQuote(ctx context.Context, symbol string, providers []provider) (quote, int) {
	answers := make(chan quote)
	defer close(answers) // truth:closer
	for _, p := range providers {
		go func(p provider) {
			price := p.fetch(symbol)
			answers <- quote{provider: p.name, price: price} // truth:sender truth:victim
		}(p)
	}
	best := quote{price: -1}
	got := 0
	for got < len(providers) {
		select {
		case q := <-answers:
			got++
			if best.price < 0 || q.price < best.price {
				best = q
			}
		case <-ctx.Done():
			return best, got
		}
	}
	return best, got
}

func main() {
	providers := []provider{
		{name: "alpha", latency: 2 * time.Millisecond, base: 101.2},
		{name: "bravo", latency: 5 * time.Millisecond, base: 100.9},
		{name: "charlie", latency: 80 * time.Millisecond, base: 99.7},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	q, n := bestQuote(ctx, "ACME", providers)
	cancel()
	fmt.Printf("best of %d answers: %s %.2f\n", n, q.provider, q.price)
	time.Sleep(time.Second)
}
