// Command live-panic is the panic-in-flight program of chanscope's attach tests.
// A scatter-gather collects replies from three backends until its deadline,
// then closes the reply channel; the slow backend's goroutine sends on the
// closed channel and panics with "send on closed channel" (first check in
// runtime.chansend).
//
// Every backend goroutine runs under a supervisor hook, a deferred function that
// runs while a panic is in flight. With the argument "stop" the hook raises
// SIGSTOP on the whole process, as supervisors that freeze a crashing service
// for inspection do, and returns when the process is continued, so the panic
// goes on and the program dies with the runtime's usual message. With "crash"
// the hook does nothing and, under GOTRACEBACK=crash, the runtime dumps core:
// the core of the same crash.
//
// Other goroutines are parked on channels (the gatherer's caller waiting for the
// summary, a heartbeat blocked in a select) so the snapshot has something
// besides the panicking goroutine.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

type reply struct {
	backend string
	latency time.Duration
}

var (
	stopOnPanic bool
	backends    sync.WaitGroup
)

// hook runs while a panic is in flight (and only then). The stop is sent to
// the calling thread itself (tgkill), not to the process: a process-directed
// SIGSTOP is taken by whichever thread the kernel picks, and the caller would
// return from kill and carry on with the panic (preprintpanics, printpanics,
// even the crash) while the group stop reaches it. A thread-directed one is
// acted on before the system call returns to user space, so the process stops
// with the panicking goroutine inside this function, its panic in flight.
// The goroutine is locked to its thread so that gettid and tgkill name the same
// thread; both modes lock it, so the two runs differ only in the signal.
//
//go:noinline
func hook() {
	runtime.LockOSThread()
	pid := syscall.Getpid()
	tid := syscall.Gettid()
	if stopOnPanic {
		// RawSyscall: no entersyscall, so the goroutine stays "running", as in the core.
		syscall.RawSyscall(syscall.SYS_TGKILL, uintptr(pid), uintptr(tid), uintptr(syscall.SIGSTOP))
	}
}

func backend(name string, latency time.Duration, replies chan<- reply) {
	sent := false
	defer func() {
		if !sent {
			hook()
		}
	}()
	time.Sleep(latency)
	replies <- reply{backend: name, latency: latency} // panics for the slow backend
	sent = true
	// Not deferred: a panicking goroutine runs its deferred calls, and a deferred Done would
	// release main's Wait while the panic is still on its way to killing the program, so
	// main could print "done" (or even return, exit 0) first. The slow backend never gets here.
	backends.Done()
}

func gather(deadline time.Duration, summary chan<- int) {
	replies := make(chan reply, 1)
	backends.Add(3)
	go backend("alpha", 10*time.Millisecond, replies)
	go backend("beta", 20*time.Millisecond, replies)
	go backend("gamma", 300*time.Millisecond, replies)
	timeout := time.After(deadline)
	n := 0
	for {
		select {
		case <-replies:
			n++
			continue
		case <-timeout:
		}
		break
	}
	close(replies) // releases nobody: gamma is still working
	summary <- n
}

func heartbeat(stop <-chan struct{}, beats chan<- int) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case beats <- i:
		}
	}
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "stop" && os.Args[1] != "crash") {
		fmt.Fprintln(os.Stderr, "usage: live-panic stop|crash")
		os.Exit(2)
	}
	stopOnPanic = os.Args[1] == "stop"
	summary := make(chan int)
	stop := make(chan struct{})
	beats := make(chan int)
	go heartbeat(stop, beats)
	go gather(100*time.Millisecond, summary)
	fmt.Println("replies:", <-summary)
	<-beats
	// Waits for the slow backend, whose panic ends the program first: "done" is never
	// printed, however long the process stays stopped.
	backends.Wait()
	close(stop)
	fmt.Println("done")
}
