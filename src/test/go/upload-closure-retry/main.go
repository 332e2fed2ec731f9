// Command upload-closure-retry models a multipart upload. A reader goroutine
// sends file chunks on the parts channel; Finish sends the manifest part
// through retry, a helper that runs a closure with backoff, and then closes
// parts. When a client aborts early, Finish runs while the reader still has
// chunks to send, and the reader panics with "send on closed channel".
//
// The closer sends itself, but its send is inside a closure it hands to a
// helper.
package main

import (
	"errors"
	"fmt"
	"time"
)

// Part is one piece of the upload.
type Part struct {
	Seq  int
	Data []byte
}

// Upload streams parts to the object store.
type Upload struct {
	Key    string
	parts  chan Part
	stored int
}

var errBusy = errors.New("store busy")

// retry runs op until it succeeds or attempts run out, backing off between tries.
func retry(name string, attempts int, op func() error) error {
	var err error
	backoff := time.Millisecond
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil {
			return nil
		}
		fmt.Printf("%s: attempt %d: %v, retrying in %v\n", name, i+1, err, backoff)
		time.Sleep(backoff)
		backoff *= 2
	}
	return fmt.Errorf("%s: giving up after %d attempts: %w", name, attempts, err)
}

// readFile sends the file's chunks.
func (u *Upload) readFile(chunks int) {
	for i := 0; i < chunks; i++ {
		data := make([]byte, 1024)
		time.Sleep(2 * time.Millisecond) // disk read
		u.parts <- Part{Seq: i, Data: data} // truth:sender truth:victim
	}
}

// Finish writes the manifest part and ends the upload.
func (u *Upload) Finish(manifest []byte) error {
	err := retry("manifest "+u.Key, 3, func() error {
		u.parts <- Part{Seq: -1, Data: manifest}
		return nil
	})
	close(u.parts) // truth:closer
	return err
}

func (u *Upload) store(done chan<- int) {
	for p := range u.parts {
		u.stored += len(p.Data)
	}
	done <- u.stored
}

func main() {
	u := &Upload{Key: "backups/2026-12-06.tar", parts: make(chan Part, 4)}
	done := make(chan int, 1)
	go u.store(done)
	go u.readFile(1000)

	// The client aborts: the handler finishes the upload with what it has.
	time.Sleep(30 * time.Millisecond)
	if err := u.Finish([]byte(`{"aborted":true}`)); err != nil {
		fmt.Println(err)
	}
	fmt.Println("stored", <-done)
	time.Sleep(time.Second)
}
