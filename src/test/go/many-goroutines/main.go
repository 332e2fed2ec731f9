// Command many-goroutines is a busy ingest service with about a thousand
// goroutines parked in the states real services show (chan receive and send,
// select, sleep, sync.Mutex, sync.RWMutex, sync.Cond, sync.WaitGroup, nil
// channels, select with no cases, network I/O on loopback, a goroutine locked
// to its thread, a deep recursive stack, a CPU-bound compactor) that dies with
// "send on closed channel".
//
// The crash is a WaitGroup misuse: fanIn starts one goroutine per source and
// each goroutine calls wg.Add(1) itself, after opening its source. The closer
// goroutine's wg.Wait() returns before any Add, closes out, and the first
// record sent afterwards panics at the first check in runtime.chansend. It is
// the fixture for the unwinder/stack oracle and for performance checks.
package main

import (
	"bufio"
	"context"
	"hash/crc32"
	"net"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Record is one ingested row.
type Record struct {
	Source string
	Seq    int64
	Data   []byte
}

// Source is a remote partition that must be opened before reading.
type Source struct {
	Name     string
	OpenTime time.Duration
	Count    int
}

func (s Source) Open() (<-chan Record, error) {
	time.Sleep(s.OpenTime) // connect and authenticate
	ch := make(chan Record, 8)
	go func() {
		defer close(ch)
		for i := 0; i < s.Count; i++ {
			ch <- Record{Source: s.Name, Seq: int64(i), Data: []byte(s.Name)}
		}
	}()
	return ch, nil
}

// fanIn merges every source into one channel.
func fanIn(sources []Source) <-chan Record {
	out := make(chan Record, 64)
	var wg sync.WaitGroup
	for _, src := range sources {
		go func(src Source) {
			recs, err := src.Open()
			if err != nil {
				return
			}
			wg.Add(1) // BUG: Add belongs before the go statement
			defer wg.Done()
			for rec := range recs {
				out <- rec // truth:sender truth:victim
			}
		}(src)
	}
	go func() {
		wg.Wait()
		close(out) // truth:closer
	}()
	return out
}

// ---- background population ----

type service struct {
	ctx    context.Context
	jobs   chan func()
	events chan string
	full   chan int
	mu     sync.Mutex
	rw     sync.RWMutex
	condMu sync.Mutex
	cond   *sync.Cond
	ready  bool
	wg     sync.WaitGroup
	stats  map[string]int
}

func (s *service) worker(id int) {
	for job := range s.jobs {
		job()
	}
}

func (s *service) subscriber(id int, ch <-chan string, tick <-chan time.Time) {
	for {
		select {
		case <-s.ctx.Done():
			return
		case ev := <-ch:
			s.stats[ev]++
		case <-tick:
		}
	}
}

// nested sleeps at the bottom of a recursive call chain so stacks differ in depth.
func nested(depth int, d time.Duration) int {
	if depth == 0 {
		time.Sleep(d)
		return 0
	}
	return nested(depth-1, d) + 1
}

func (s *service) lockWaiter() {
	s.mu.Lock()
	s.stats["lock"]++
	s.mu.Unlock()
}

func (s *service) readWaiter() {
	s.rw.RLock()
	_ = s.stats["read"]
	s.rw.RUnlock()
}

func (s *service) condWaiter() {
	s.condMu.Lock()
	for !s.ready {
		s.cond.Wait()
	}
	s.condMu.Unlock()
}

func (s *service) blockedSender(i int) { s.full <- i }

func nilReceiver() {
	var ch chan int
	<-ch
}

func forever() { select {} }

func (s *service) pinned() {
	runtime.LockOSThread()
	<-s.ctx.Done()
}

// compactor is CPU bound: it is running on another thread when the crash comes.
func compactor(stop <-chan struct{}) {
	buf := make([]byte, 4096)
	var sum uint32
	for i := 0; ; i++ {
		if i%1024 == 0 {
			select {
			case <-stop:
				return
			default:
			}
		}
		buf[i%len(buf)] = byte(sum)
		sum = crc32.ChecksumIEEE(buf)
	}
}

func serveConn(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.Close()
			return
		}
		c.Write([]byte(line))
	}
}

func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go serveConn(c)
	}
}

func client(addr string, id int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	c.Write([]byte("hello " + strconv.Itoa(id) + "\n"))
	br := bufio.NewReader(c)
	for {
		if _, err := br.ReadString('\n'); err != nil {
			return
		}
	}
}

func (s *service) populate() {
	for i := 0; i < 290; i++ {
		go s.worker(i)
	}
	tick := time.NewTicker(time.Hour)
	for i := 0; i < 150; i++ {
		go s.subscriber(i, s.events, tick.C)
	}
	for i := 0; i < 100; i++ {
		go nested(i%24, time.Hour)
	}
	go nested(150, time.Hour) // deep enough for the traceback to elide frames

	s.mu.Lock() // held for the lifetime of the process
	for i := 0; i < 80; i++ {
		go s.lockWaiter()
	}
	s.rw.Lock()
	for i := 0; i < 60; i++ {
		go s.readWaiter()
	}
	for i := 0; i < 60; i++ {
		go s.condWaiter()
	}
	s.wg.Add(1)
	for i := 0; i < 50; i++ {
		go func() { s.wg.Wait() }()
	}
	for i := 0; i < 50+cap(s.full); i++ {
		go s.blockedSender(i)
	}
	for i := 0; i < 30; i++ {
		go nilReceiver()
	}
	for i := 0; i < 20; i++ {
		go forever()
	}
	go s.pinned()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err == nil {
		go acceptLoop(ln)
		for i := 0; i < 48; i++ {
			go client(ln.Addr().String(), i)
		}
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &service{ctx: ctx, jobs: make(chan func()), events: make(chan string), full: make(chan int, 4), stats: map[string]int{}}
	s.cond = sync.NewCond(&s.condMu)
	s.populate()
	stop := make(chan struct{})
	go compactor(stop)
	time.Sleep(150 * time.Millisecond) // let everything park

	sources := []Source{
		{Name: "orders-0", OpenTime: 5 * time.Millisecond, Count: 500},
		{Name: "orders-1", OpenTime: 8 * time.Millisecond, Count: 500},
		{Name: "payments-0", OpenTime: 12 * time.Millisecond, Count: 500},
	}
	var n int
	for rec := range fanIn(sources) {
		n += len(rec.Data)
	}
	time.Sleep(2 * time.Second)
	close(stop)
}
