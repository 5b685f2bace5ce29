package devices

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn counts the writes that reach a real TCP connection.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// tcpPair is a loopback TCP connection: the server side, counted, and
// everything the client side reads, delivered on a channel.
func tcpPair(t *testing.T) (*countingConn, <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	got := make(chan []byte, 1024)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				got <- append([]byte(nil), buf[:n]...)
			}
			if err != nil {
				close(got)
				return
			}
		}
	}()
	return &countingConn{Conn: server}, got
}

// readN collects n bytes from got, or fails after a deadline.
func readN(t *testing.T, got <-chan []byte, n int) string {
	t.Helper()
	var out []byte
	deadline := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case b, ok := <-got:
			if !ok {
				t.Fatalf("connection closed after %q", out)
			}
			out = append(out, b...)
		case <-deadline:
			t.Fatalf("read %q, want %d bytes", out, n)
		}
	}
	return string(out)
}

// TestCorkGathersWrites: writes while corked reach the socket as one write
// when uncorked, in order, and writes made while that write is under way
// come after it; uncorked writes go straight through.
func TestCorkGathersWrites(t *testing.T) {
	conn, got := tcpPair(t)
	gc := &guardedConn{Conn: conn}
	t.Run("OKDirect", func(t *testing.T) {
		gc.Write([]byte("a"))
		if s := readN(t, got, 1); s != "a" || conn.writes.Load() != 1 {
			t.Fatalf("read %q after %d writes", s, conn.writes.Load())
		}
	})
	t.Run("OKGathered", func(t *testing.T) {
		before := conn.writes.Load()
		gc.cork.on()
		for _, s := range []string{"b", "c", "d"} {
			if n, err := gc.Write([]byte(s)); n != 1 || err != nil {
				t.Fatalf("corked Write = %d, %v", n, err)
			}
		}
		if n := conn.writes.Load() - before; n != 0 {
			t.Fatalf("%d writes reached the socket while corked", n)
		}
		gc.cork.off(gc.Conn)
		gc.Write([]byte("e")) // behind the gathered ones, whether or not their write is done
		if s := readN(t, got, 4); s != "bcde" {
			t.Fatalf("read %q, want bcde", s)
		}
		if n := conn.writes.Load() - before; n > 2 {
			t.Errorf("%d socket writes for 3 gathered and 1 later, want at most 2", n)
		}
	})
	t.Run("OKConcurrentOrderPerWriter", func(t *testing.T) {
		// mochi writes one packet at a time per device; cork and uncork come
		// from the publisher meanwhile. Every byte arrives, in order.
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				gc.cork.on()
				gc.cork.off(gc.Conn)
			}
		}()
		want := make([]byte, 0, 2000)
		for i := 0; i < 2000; i++ {
			b := []byte{byte('0' + i%10)}
			want = append(want, b...)
			gc.Write(b)
		}
		wg.Wait()
		gc.cork.off(gc.Conn)
		if s := readN(t, got, len(want)); s != string(want) {
			t.Fatal("bytes reordered or lost under concurrent cork and uncork")
		}
	})
	t.Run("ErrAfterClose", func(t *testing.T) {
		gc.cork.on()
		gc.Write([]byte("x"))
		conn.Conn.Close()
		gc.cork.off(gc.Conn)
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := gc.Write([]byte("y")); err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("writes still succeed after the connection failed")
			}
			gc.cork.on() // gather again so that the error shows through a flush
			gc.cork.off(gc.Conn)
			time.Sleep(time.Millisecond)
		}
	})
}
