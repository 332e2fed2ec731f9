// Command watcher-defer-only models a config watcher. run starts one poller
// per watched path and closes the events channel with a defer when its
// context is cancelled; the pollers are not waited for. A poller that finds a
// change after run returned sends on the closed channel and panics with
// "send on closed channel". The deferred close is the only close in the
// program.
package main

import (
	"context"
	"fmt"
	"hash/crc32"
	"time"
)

// Event says a watched file changed.
type Event struct {
	Path string
	Sum  uint32
}

type watcher struct {
	paths    []string
	interval time.Duration
	events   chan Event
	polls    int
}

// run polls every path until ctx ends.
func (w *watcher) run(ctx context.Context) {
	defer close(w.events) // truth:closer
	for i, p := range w.paths {
		go w.poll(p, time.Duration(i+1)*w.interval)
	}
	<-ctx.Done()
}

// poll checks a path for changes and reports each one.
func (w *watcher) poll(path string, every time.Duration) {
	var last uint32
	for i := 0; ; i++ {
		time.Sleep(every)
		sum := crc32.ChecksumIEEE([]byte(fmt.Sprintf("%s#%d", path, i/2)))
		if sum != last {
			last = sum
			w.events <- Event{Path: path, Sum: sum} // truth:sender truth:victim
		}
	}
}

func main() {
	w := &watcher{
		paths:    []string{"/etc/app/config.yaml", "/etc/app/tls/cert.pem", "/etc/app/flags.json"},
		interval: 3 * time.Millisecond,
		events:   make(chan Event),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
	defer cancel()
	go w.run(ctx)
	for ev := range w.events {
		fmt.Printf("reload: %s changed (%08x)\n", ev.Path, ev.Sum)
	}
	time.Sleep(time.Second)
}
