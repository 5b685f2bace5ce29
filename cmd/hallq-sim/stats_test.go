package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var d []time.Duration
		for i := 100; i >= 1; i-- { // unsorted on purpose
			d = append(d, time.Duration(i)*time.Millisecond)
		}
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
		s := summarize(d)
		for _, c := range []struct {
			name      string
			got, want time.Duration
		}{
			{"p50", s.P50, 50 * time.Millisecond},
			{"p90", s.P90, 90 * time.Millisecond},
			{"p99", s.P99, 99 * time.Millisecond},
			{"max", s.Max, 100 * time.Millisecond},
			{"mean", s.Mean, 50500 * time.Microsecond},
		} {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		if s.N != 100 {
			t.Errorf("N = %d, want 100", s.N)
		}
	})
	t.Run("NearestRank", func(t *testing.T) {
		// Ten values: p50 is the 5th, p90 the 9th, p99 rounds up to the 10th.
		d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
		if got, want := percentile(d, 50), time.Duration(5); got != want {
			t.Errorf("p50 = %v, want %v", got, want)
		}
		if got, want := percentile(d, 90), time.Duration(9); got != want {
			t.Errorf("p90 = %v, want %v", got, want)
		}
		if got, want := percentile(d, 99), time.Duration(10); got != want {
			t.Errorf("p99 = %v, want %v", got, want)
		}
	})
	t.Run("One", func(t *testing.T) {
		s := summarize([]time.Duration{7})
		if s.P50 != 7 || s.P99 != 7 || s.Max != 7 || s.N != 1 {
			t.Errorf("summary of one value: %+v", s)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		var s Sample
		if got := s.Summary(); got != (Summary{}) {
			t.Errorf("empty summary = %+v", got)
		}
		if got := ratio(0, time.Millisecond); got != "-" {
			t.Errorf("ratio with no sample = %q, want -", got)
		}
	})
}
