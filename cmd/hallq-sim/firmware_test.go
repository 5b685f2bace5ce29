package main

import (
	"fmt"
	"testing"
)

// TestFailsByShare: --fw-fail-share picks about that share of devices, the
// same ones every run.
func TestFailsByShare(t *testing.T) {
	n := 0
	for i := 0; i < 1000; i++ {
		id := fmt.Sprintf("caller-%d", i)
		first := failsByShare(id, 0.2)
		if first {
			n++
		}
		if again := failsByShare(id, 0.2); again != first || failsByShare(id, 0) || !failsByShare(id, 1) {
			t.Fatalf("%s: not deterministic or wrong at the bounds", id)
		}
	}
	if n < 150 || n > 250 {
		t.Errorf("%d of 1000 fail with share 0.2", n)
	}
}
