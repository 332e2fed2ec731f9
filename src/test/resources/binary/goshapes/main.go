// Command goshapes holds the shapes of go statements, defers and channel operations the
// binary scan must recognise (dev.chanscope.binary.GoShapesTest). Each shape is in its own
// function so the test can find it by name; every shape has its own channel, so the program
// runs to its end.
package main

import (
	"reflect"
	"time"
)

type T struct{ ch chan int }

func (t *T) run()        { close(t.ch) }
func (t *T) small(i int) { t.ch <- i }
func (t *T) M()          { close(t.ch) }

type I interface{ M() }

func top() { time.Sleep(time.Millisecond) }

// goMethodValue: the goroutine starts in the method value wrapper (*T).run-fm.
func goMethodValue(t *T) {
	f := t.run
	go f()
}

// goInterface: the gowrap calls M through the itab; which M is unknown.
//
//go:noinline
func goInterface(i I) {
	go i.M()
}

// goInlined: (*T).small is inlined into the gowrap.
func goInlined(t *T) {
	go t.small(3)
}

// goStatic: a top-level function without arguments needs no wrapper.
func goStatic() {
	go top()
}

// goParameter: the funcval is a parameter.
//
//go:noinline
func goParameter(f func()) {
	go f()
}

// goChoice: one of two funcvals, chosen at run time.
//
//go:noinline
func goChoice(t *T) {
	g := top
	if len(t.ch) > 0 {
		g = func() { println("x") }
	}
	go g()
}

// goPassesFunc: the goroutine receives a func value it calls.
func goPassesFunc() {
	go func(f func()) { f() }(top)
}

// loopDefer: defers in a loop go through runtime.deferproc, not open-coded.
func loopDefer(chs []chan int) {
	for _, c := range chs {
		defer close(c)
	}
}

// reflectOps: the reflect twins of close, send, non-blocking send and select.
//
//go:noinline
func reflectOps(v reflect.Value) {
	v.Send(reflect.ValueOf(1))
	v.TrySend(reflect.ValueOf(2))
	reflect.Select([]reflect.SelectCase{{Dir: reflect.SelectSend, Chan: v, Send: reflect.ValueOf(3)}, {Dir: reflect.SelectDefault}})
	v.Close()
}

// trySend: select with one send case and a default is runtime.selectnbsend.
func trySend(ch chan int) bool {
	select {
	case ch <- 1:
		return true
	default:
		return false
	}
}

func newT() *T { return &T{ch: make(chan int, 10)} }

func main() {
	goMethodValue(newT())
	goInterface(newT())
	goInlined(newT())
	goStatic()
	goParameter(top)
	goChoice(newT())
	goPassesFunc()
	loopDefer([]chan int{make(chan int)})
	reflectOps(reflect.ValueOf(make(chan int, 3)))
	trySend(newT().ch)
	time.Sleep(10 * time.Millisecond)
}
