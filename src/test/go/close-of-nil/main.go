// Command close-of-nil models go-ethereum issue 2948: the miner's worker makes
// its quit channel in start, but stop closes it unconditionally. A node that
// never started mining stops its services at shutdown, the worker's stop
// closes a channel that was never made, and the process panics with
// "close of nil channel" in runtime.closechan.
package main

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Block is a sealed block.
type Block struct {
	Number uint64
	Hash   [32]byte
}

// Result is what the sealing engine reports.
type Result struct {
	Block *Block
	Err   error
}

type worker struct {
	mu     sync.Mutex
	mining int32
	quit   chan struct{} // made by start
	recv   chan *Result
	blocks uint64
}

func newWorker() *worker {
	w := &worker{recv: make(chan *Result, 16)}
	go w.wait()
	return w
}

// wait collects sealing results for the lifetime of the worker.
func (w *worker) wait() {
	for r := range w.recv {
		if r.Err == nil {
			atomic.AddUint64(&w.blocks, 1)
		}
	}
}

func (w *worker) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	atomic.StoreInt32(&w.mining, 1)
	w.quit = make(chan struct{})
	go w.update()
}

func (w *worker) update() {
	for {
		select {
		case <-w.quit:
			return
		case <-time.After(10 * time.Millisecond):
			w.recv <- &Result{Block: &Block{Number: atomic.LoadUint64(&w.blocks) + 1}}
		}
	}
}

func (w *worker) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	atomic.StoreInt32(&w.mining, 0)
	close(w.quit) // truth:closer truth:victim
}

// Miner wraps the worker; mining is started by an RPC call, or never.
type Miner struct {
	worker  *worker
	running bool
}

func (m *Miner) Start() { m.running = true; m.worker.start() }
func (m *Miner) Stop() error {
	m.worker.stop()
	m.running = false
	return nil
}

type Service interface{ Stop() error }

type txPool struct{ quit chan struct{} }

func (p *txPool) Stop() error { close(p.quit); return nil }

// Node runs services and stops them in reverse order.
type Node struct {
	services []Service
	stop     chan struct{}
}

func (n *Node) Close() error {
	var errs []error
	for i := len(n.services) - 1; i >= 0; i-- {
		if err := n.services[i].Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	close(n.stop)
	return errors.Join(errs...)
}

// waitForShutdown stops the node when the interrupt arrives.
func (n *Node) waitForShutdown(sigc <-chan string) {
	<-sigc
	n.Close()
}

func main() {
	miner := &Miner{worker: newWorker()}
	n := &Node{services: []Service{&txPool{quit: make(chan struct{})}, miner}, stop: make(chan struct{})}
	sigc := make(chan string, 1)
	go n.waitForShutdown(sigc)

	time.Sleep(20 * time.Millisecond) // the node syncs; nobody calls miner_start
	sigc <- "interrupt"
	<-n.stop
}
