package netlimit

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestCaps: over the per-address cap a new connection is closed at once and
// counted; closing one gives its place back.
func TestCaps(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := make(chan string, 10)
	l := New(ln, 100, 2, func(r string) { refused <- r })
	defer l.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	dial()
	dial()
	s1, s2 := <-accepted, <-accepted
	_ = s2
	over := dial()
	if r := <-refused; r != "max_conns_per_ip" {
		t.Errorf("refused for %q", r)
	}
	over.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := over.Read(make([]byte, 1)); err != io.EOF {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the connection over the cap is still open")
		}
	}
	if got := l.Open(); got != 2 {
		t.Errorf("open %d, want 2", got)
	}
	s1.Close()
	s1.Close() // twice gives back one place
	if got := l.Open(); got != 1 {
		t.Errorf("open after close %d, want 1", got)
	}
	dial()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("not accepted after a place was given back")
	}
}

// TestBudget leaves the reserve free.
func TestBudget(t *testing.T) {
	if got := Budget(1<<40, 0); got <= 16 {
		t.Errorf("Budget = %d", got)
	}
	if got := Budget(100, 1<<40); got != 16 {
		t.Errorf("Budget with a huge reserve = %d, want the floor 16", got)
	}
}
