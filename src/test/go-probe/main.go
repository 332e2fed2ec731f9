// The layout probe of scripts/gen-layouts: a program that uses what chanscope
// reads of the runtime (channels, select, panics, defers, goroutines), so that
// every runtime struct it asks for is in the binary's DWARF. It is built, never
// run.
package main

import (
	"fmt"
	"os"
)

type item struct{ n int }

func main() {
	c := make(chan item, 1)
	d := make(chan int)
	go func() {
		defer func() { _ = recover() }()
		select {
		case c <- item{1}:
		case v := <-d:
			fmt.Println(v)
		}
		close(d)
	}()
	<-c
	if len(os.Args) > 5 {
		panic("probe")
	}
}
