package staffing

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// Values from the Erlang C tables (and e.g. the worked example of the call
// centre literature: 100 calls per 30 min, 180 s handling, 20 s target).
func TestErlangC(t *testing.T) {
	for _, tc := range []struct {
		c    int
		a    float64
		want float64
	}{
		{1, 0.5, 0.5},    // M/M/1: P(wait) = ρ
		{2, 1, 1.0 / 3},  // 2 servers, 1 Erlang
		{10, 10, 1},      // saturated
		{11, 10, 0.6821}, // table value
		{14, 10, 0.1741}, // table value
		{1, 0, 0},        // no load
		{3, 2.5, 0.7022}, // table value
	} {
		if got := ErlangC(tc.c, tc.a); math.Abs(got-tc.want) > 5e-4 {
			t.Errorf("ErlangC(%d, %g) = %.4f, want %.4f", tc.c, tc.a, got, tc.want)
		}
	}
}

func TestNeeded(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		lambda, mean, target float64
		goal                 float64
		max, want            int
		ok                   bool
	}{
		// 100 arrivals in 30 min, 180 s each: 10 Erlangs; 80% within 20 s needs 14.
		{"CallCentre", 100.0 / 1800, 180, 20, 0.8, 50, 14, true},
		// The same load with a 30 min target: 11 servers suffice.
		{"LongTarget", 100.0 / 1800, 180, 1800, 0.8, 50, 11, true},
		{"NoArrivals", 0, 300, 60, 0.8, 10, 0, true},
		{"NotEnough", 1, 300, 60, 0.8, 10, 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := Needed(tc.lambda, tc.mean, tc.target, tc.goal, tc.max)
			if n != tc.want || ok != tc.ok {
				t.Fatalf("Needed = %d %v, want %d %v", n, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestServiceLevelProperties: more servers never make the service level
// worse, the mean wait is finite only past the load, and Needed is the
// least count that meets the goal.
func TestServiceLevelProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lambda := rapid.Float64Range(0.001, 2).Draw(t, "lambda")
		mean := rapid.Float64Range(10, 1200).Draw(t, "mean")
		target := rapid.Float64Range(1, 3600).Draw(t, "target")
		c := rapid.IntRange(1, 200).Draw(t, "c")
		a := lambda * mean
		if ServiceLevel(c+1, lambda, mean, target) < ServiceLevel(c, lambda, mean, target)-1e-12 {
			t.Fatalf("service level fell from %d to %d servers", c, c+1)
		}
		if (float64(c) > a) != !math.IsInf(MeanWait(c, lambda, mean), 1) {
			t.Fatalf("mean wait %v with c=%d a=%v", MeanWait(c, lambda, mean), c, a)
		}
		if p := ErlangC(c, a); p < 0 || p > 1 {
			t.Fatalf("ErlangC = %v", p)
		}
		if n, ok := Needed(lambda, mean, target, 0.8, 400); ok {
			if ServiceLevel(n, lambda, mean, target) < 0.8 || (n > 1 && ServiceLevel(n-1, lambda, mean, target) >= 0.8) {
				t.Fatalf("Needed = %d is not the least meeting 80%%", n)
			}
		}
	})
}
