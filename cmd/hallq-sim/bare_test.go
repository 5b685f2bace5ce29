package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/store"
)

// TestBareServer runs the CPU baseline's bare server in-process, drives it
// as --cpu-baseline does, and checks that every answered request was
// journaled and that closing stdin stops it.
func TestBareServer(t *testing.T) {
	dir := t.TempDir()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- bareServer(ctx, "127.0.0.1:0", dir, inR, outW) }()
	line, err := bufio.NewReader(outR).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("bare server said %q: %v", line, err)
	}
	use, err := driveBare(ctx, "tcp://"+addr, os.Getpid(), BaselineOptions{Clients: 3, Rate: 300,
		Duration: 500 * time.Millisecond, Timeout: 10 * time.Second, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if use.Requests == 0 {
		t.Fatal("no request answered")
	}
	inW.Close()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the bare server did not stop when stdin closed")
	}
	j, err := store.Open(dir, "bare", zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := j.LastSeq(); got != use.Requests {
		t.Errorf("journal holds %d events, %d requests were answered", got, use.Requests)
	}
}
