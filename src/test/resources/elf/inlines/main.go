// Test program for chanscope's ElfFile and Pclntab tests. It is built with Go 1.26 and
// Go 1.22 and crashed with GOTRACEBACK=crash to record the runtime's own traceback, which
// is the oracle for the inline expansion (see the README in this directory).
package main

import "runtime"

type box struct{ ch chan int }

// shut, release and finish are small enough to be inlined into closer: a pc in closer's
// call to closechan expands to three inlined frames plus closer itself.
func (b *box) shut() { close(b.ch) }

func release(b *box) { b.shut() }

func finish(b *box) { release(b) }

//go:noinline
func closer(b *box) {
	finish(b)
}

// recvOne is inlined into the goroutine closures below.
func recvOne(c chan int) int { return <-c }

func pick[T any](a, b chan T) T {
	select {
	case v := <-a:
		return v
	case v := <-b:
		return v
	}
}

//go:noinline
func waiter(a, b chan string) string {
	return pick(a, b)
}

func main() {
	block := make(chan int)
	for i := 0; i < 2; i++ {
		go func() {
			println(recvOne(block))
		}()
	}
	go func() {
		println(waiter(make(chan string), make(chan string)))
	}()
	for i := 0; i < 200; i++ {
		runtime.Gosched()
	}
	b := &box{ch: make(chan int)}
	closer(b)
	defer closer(b)
}
