// Command journald-reader models the journald log reader of moby (PR 21311):
// readLogs serves `docker logs --follow` by sending the journal's existing
// entries on the log watcher's Msg channel and then following the journal:
// followJournal starts a goroutine that waits for new entries and sends them
// on Msg, and returns when the consumer goes away (WatchClose). readLogs closes
// Msg with a defer, so the channel is closed as soon as readLogs returns, while
// the follower goroutine it started is still sending.
//
// The client stops reading and then disconnects; the follower is blocked
// sending a new entry on Msg; readLogs returns and its deferred close wakes the
// follower, which panics with "send on closed channel" after gopark. The
// goroutine that ran readLogs has exited.
package main

import (
	"strconv"
	"sync"
	"time"
)

// Message is one log line.
type Message struct {
	Line      []byte
	Source    string
	Timestamp time.Time
	Attrs     map[string]string
}

// LogWatcher connects a log reader to an API client.
type LogWatcher struct {
	Msg        chan *Message
	Err        chan error
	WatchClose chan struct{} // closed when the consumer goes away
}

func NewLogWatcher() *LogWatcher {
	return &LogWatcher{Msg: make(chan *Message), Err: make(chan error, 1), WatchClose: make(chan struct{})}
}

// ReadConfig is what `docker logs` asked for.
type ReadConfig struct {
	Tail   int
	Follow bool
}

// journal is the systemd journal of one container.
type journal struct {
	mu      sync.Mutex
	entries []string
	cursor  int
	changed chan struct{}
}

func (j *journal) append(line string) {
	j.mu.Lock()
	j.entries = append(j.entries, line)
	j.mu.Unlock()
	select {
	case j.changed <- struct{}{}:
	default:
	}
}

// next returns the entries after the cursor.
func (j *journal) next() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := append([]string(nil), j.entries[j.cursor:]...)
	j.cursor = len(j.entries)
	return out
}

type journald struct {
	containerID string
	j           *journal
}

func (r *journald) message(line string) *Message {
	return &Message{Line: []byte(line), Source: "stdout", Timestamp: time.Now(), Attrs: map[string]string{"CONTAINER_ID": r.containerID}}
}

// followJournal sends new entries until the consumer goes away.
func (r *journald) followJournal(logWatcher *LogWatcher) {
	go func() {
		for range r.j.changed {
			for _, line := range r.j.next() {
				logWatcher.Msg <- r.message(line) // truth:sender truth:victim
			}
		}
	}()
	<-logWatcher.WatchClose
}

func (r *journald) readLogs(logWatcher *LogWatcher, config ReadConfig) {
	defer close(logWatcher.Msg) // truth:closer
	for _, line := range r.j.next() {
		select {
		case logWatcher.Msg <- r.message(line):
		case <-logWatcher.WatchClose:
			return
		}
	}
	if config.Follow {
		r.followJournal(logWatcher)
	}
}

// ReadLogs starts a reader goroutine for the API client.
func (r *journald) ReadLogs(config ReadConfig) *LogWatcher {
	lw := NewLogWatcher()
	go r.readLogs(lw, config)
	return lw
}

// apiClient reads a few lines and then the HTTP client stops reading; a
// while later the connection is closed.
func apiClient(lw *LogWatcher, reads int, hangup time.Duration) {
	for i := 0; i < reads; i++ {
		if _, ok := <-lw.Msg; !ok {
			return
		}
	}
	time.Sleep(hangup)
	close(lw.WatchClose)
}

func main() {
	j := &journal{changed: make(chan struct{}, 1)}
	for i := 0; i < 3; i++ {
		j.append("boot " + strconv.Itoa(i))
	}
	r := &journald{containerID: "9b1e7c0f44d2", j: j}
	lw := r.ReadLogs(ReadConfig{Tail: -1, Follow: true})
	go apiClient(lw, 4, 250*time.Millisecond)

	// The container keeps logging.
	for i := 0; i < 50; i++ {
		time.Sleep(10 * time.Millisecond)
		j.append("GET /healthz 200 " + strconv.Itoa(i))
	}
	time.Sleep(time.Second)
}
