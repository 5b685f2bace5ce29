package main

import (
	"math/rand/v2"
	"testing"
)

// TestDemoRaterLevels: the demo's keypads give every level, and a 差评 with
// reasons and dimensions, so the cases page has cases in a demo.
func TestDemoRaterLevels(t *testing.T) {
	r := &rater{rng: rand.New(rand.NewPCG(1, 2)), demo: true}
	seen := map[int]int{}
	for i := 0; i < 500; i++ {
		seen[r.drawLevel()]++
	}
	for level := 1; level <= 5; level++ {
		if seen[level] == 0 {
			t.Errorf("no level %d in 500 demo ratings: %v", level, seen)
		}
	}
	args := r.ratingArgs(2, "T1")
	if args["reasons"] == nil || args["dims"] == nil || args["ticket_id"] != "T1" {
		t.Errorf("差评 args %v: want reasons and dims", args)
	}
	if args := r.ratingArgs(5, ""); len(args) != 1 {
		t.Errorf("好评 args %v: want only the level", args)
	}
}
