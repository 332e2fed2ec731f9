// Command worker-pool models a batch service that feeds an internal worker pool
// and shuts it down on a deadline. One job hangs (a stuck downstream call), so
// the single worker never comes back; the feeder is parked in Submit. Shutdown
// gives up at its deadline and closes the job channel under the parked
// Submit, which wakes and panics with "send on closed channel" after gopark.
// The closing code is in the package chanscope.dev/fixtures/worker-pool/pool,
// so the fixture also checks that a program's own packages outside main are
// taken for user code, whatever the module path looks like.
package main

import (
	"fmt"
	"time"

	"chanscope.dev/fixtures/worker-pool/pool"
)

var stuck = make(chan struct{}) // never closed: the downstream that hangs

func feed(p *pool.Pool, n int) {
	for i := 0; i < n; i++ {
		i := i
		p.Submit(pool.Job{ID: i, Run: func() {
			if i == 3 {
				<-stuck
			}
		}})
	}
}

func main() {
	p := pool.New(1)
	go feed(p, 100)
	time.Sleep(50 * time.Millisecond)
	if !p.Shutdown(100 * time.Millisecond) {
		fmt.Println("shutdown: deadline passed with jobs still running")
	}
	time.Sleep(time.Second)
}
