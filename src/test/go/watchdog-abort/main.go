// Command watchdog-abort is a control that does not die from a panic at all:
// an account service wedges in a lock-order deadlock (a transfer locks "from"
// then "to" while the reverse transfer locks them the other way round), its
// heartbeat stops, and the service's watchdog does what systemd's WatchdogSec
// does: it sends SIGABRT to the process. With GOTRACEBACK=crash the runtime
// prints "SIGABRT: abort", the register dump, every goroutine, and then relays
// SIGQUIT to the other threads, each printing a "goroutine 0" section for its
// g0 stack, before dumping core. Channels are everywhere, none is involved.
package main

import (
	"os"
	"sync"
	"syscall"
	"time"
)

type Account struct {
	mu      sync.Mutex
	ID      string
	Balance int64
}

// transfer locks both accounts in argument order: the deadlock.
func transfer(from, to *Account, amount int64, hold time.Duration) {
	from.mu.Lock()
	defer from.mu.Unlock()
	time.Sleep(hold) // ledger write
	to.mu.Lock()
	defer to.mu.Unlock()
	from.Balance -= amount
	to.Balance += amount
}

type transferReq struct {
	from, to *Account
	amount   int64
	done     chan error
}

// processor serves transfers and beats the heartbeat after each one.
func processor(reqs <-chan transferReq, heartbeat chan<- time.Time) {
	for r := range reqs {
		transfer(r.from, r.to, r.amount, 10*time.Millisecond)
		heartbeat <- time.Now()
		r.done <- nil
	}
}

// watchdog aborts the process when no heartbeat arrives in time.
func watchdog(heartbeat <-chan time.Time, timeout time.Duration) {
	t := time.NewTimer(timeout)
	for {
		select {
		case <-heartbeat:
			t.Reset(timeout)
		case <-t.C:
			syscall.Kill(os.Getpid(), syscall.SIGABRT) // truth:trigger
			time.Sleep(time.Second)
		}
	}
}

func main() {
	alice := &Account{ID: "alice", Balance: 100}
	bob := &Account{ID: "bob", Balance: 100}
	heartbeat := make(chan time.Time, 1)
	go watchdog(heartbeat, 100*time.Millisecond)

	reqs := make(chan transferReq)
	for i := 0; i < 2; i++ {
		go processor(reqs, heartbeat)
	}
	var wg sync.WaitGroup
	for _, r := range []transferReq{{from: alice, to: bob, amount: 10}, {from: bob, to: alice, amount: 5}} {
		r.done = make(chan error, 1)
		wg.Add(1)
		go func(r transferReq) {
			defer wg.Done()
			reqs <- r
			<-r.done
		}(r)
	}
	wg.Wait()
}
