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
