package display

import (
	"fmt"
	"testing"
)

func TestBacklog(t *testing.T) {
	var b backlog
	b.reset(10)
	for i := 11; i <= 20; i++ {
		b.push([]byte(fmt.Sprint(i)))
	}
	if got := b.last(); got != 20 {
		t.Fatalf("last = %d, want 20", got)
	}
	for _, tc := range []struct {
		since int64
		n     int
		ok    bool
	}{{10, 10, true}, {15, 5, true}, {20, 0, true}, {9, 0, false}, {21, 0, false}} {
		msgs, ok := b.after(tc.since)
		if ok != tc.ok || len(msgs) != tc.n {
			t.Errorf("after(%d) = %d, %v; want %d, %v", tc.since, len(msgs), ok, tc.n, tc.ok)
		}
		if ok && tc.n > 0 && string(msgs[0]) != fmt.Sprint(tc.since+1) {
			t.Errorf("after(%d)[0] = %s", tc.since, msgs[0])
		}
	}
	held, _ := b.after(15)
	b.push([]byte("21"))
	if len(held) != 5 || cap(held) != 5 {
		t.Errorf("a slice handed out changed: len %d cap %d", len(held), cap(held))
	}
	b.prepend(5, [][]byte{[]byte("6"), []byte("7"), []byte("8"), []byte("9"), []byte("10")}, nil)
	if msgs, ok := b.after(5); !ok || len(msgs) != 16 || string(msgs[0]) != "6" || string(msgs[15]) != "21" {
		t.Errorf("after prepend: %d messages, %v", len(msgs), ok)
	}
	b.trim(8) // 16 <= 8+2? no: trims to 8
	if got, want := b.from, int64(13); got != want || len(b.msgs) != 8 {
		t.Errorf("after trim: from %d (want %d), %d held", got, want, len(b.msgs))
	}
	b.push([]byte("22"))
	b.trim(8) // 9 <= 10: kept
	if len(b.msgs) != 9 || b.last() != 22 {
		t.Errorf("trim copied early: %d held, last %d", len(b.msgs), b.last())
	}
}

// TestBacklogBytes: trimBytes keeps the newest messages within the bytes
// bound (with the quarter of slack), keeps its count of bytes right through
// push, prepend and trims, and the oldest dropped are what after refuses.
func TestBacklogBytes(t *testing.T) {
	var b backlog
	b.reset(0)
	msg := make([]byte, 60) // 60 + heldOverhead = 100 bytes each
	for i := 0; i < 100; i++ {
		b.push(msg)
	}
	if got, want := b.size, 100*(60+heldOverhead); got != want {
		t.Fatalf("size = %d, want %d", got, want)
	}
	b.trimBytes(8000) // 10000 > 8000+2000? no: kept
	if len(b.msgs) != 100 {
		t.Fatalf("trimmed within the slack: %d held", len(b.msgs))
	}
	b.trimBytes(5000) // 10000 > 6250: down to 50 messages
	if got, want := len(b.msgs), 50; got != want || b.from != 50 || b.size != 5000 {
		t.Fatalf("after trimBytes(5000): %d held from %d, size %d; want %d from 50, size 5000", got, b.from, b.size, want)
	}
	if _, ok := b.after(49); ok {
		t.Error("after(49) still answers for a dropped message")
	}
	if msgs, ok := b.after(50); !ok || len(msgs) != 50 {
		t.Errorf("after(50) = %d, %v", len(msgs), ok)
	}
	b.prepend(40, [][]byte{msg, msg, msg, msg, msg, msg, msg, msg, msg, msg}, nil)
	b.trim(55) // 60 <= 55+13: kept
	b.trim(40) // down to 40
	if got, want := b.size, 40*(60+heldOverhead); got != want || len(b.msgs) != 40 {
		t.Fatalf("size after prepend and trim = %d (%d held), want %d", got, len(b.msgs), want)
	}
	b.reset(7)
	if b.size != 0 {
		t.Fatalf("size after reset = %d", b.size)
	}
}
