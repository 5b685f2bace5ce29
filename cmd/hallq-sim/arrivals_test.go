package main

import (
	"context"
	"math"
	"testing"
	"time"
)

// within reports whether a Poisson count n is within z standard deviations
// of its mean.
func within(n int, mean, z float64) bool {
	return math.Abs(float64(n)-mean) <= z*math.Sqrt(mean)
}

func TestPoisson(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		const rate, horizon = 50.0, 1000 * time.Second
		for seed := uint64(1); seed <= 5; seed++ {
			p := NewPoisson(rate, newRand(seed, 1))
			n, last := 0, time.Duration(0)
			var gaps, gaps2 float64
			for {
				at, ok := p.Next()
				if !ok {
					t.Fatal("an endless process ended")
				}
				if at < last {
					t.Fatalf("seed %d: arrival %v before the previous one %v", seed, at, last)
				}
				if at > horizon {
					break
				}
				g := (at - last).Seconds()
				gaps, gaps2 = gaps+g, gaps2+g*g
				last = at
				n++
			}
			if mean := rate * horizon.Seconds(); !within(n, mean, 4) {
				t.Errorf("seed %d: %d arrivals in %v, want %.0f ± 4σ", seed, n, horizon, mean)
			}
			// Exponential gaps: the coefficient of variation is 1.
			m := gaps / float64(n)
			if cv := math.Sqrt(gaps2/float64(n)-m*m) / m; math.Abs(cv-1) > 0.05 {
				t.Errorf("seed %d: gaps' coefficient of variation %.3f, want 1 ± 0.05", seed, cv)
			}
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		a, b := NewPoisson(3, newRand(42, 1)), NewPoisson(3, newRand(42, 1))
		for i := 0; i < 1000; i++ {
			x, _ := a.Next()
			y, _ := b.Next()
			if x != y {
				t.Fatalf("arrival %d: %v and %v from the same seed", i, x, y)
			}
		}
	})
}

func TestBusyDay(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		p := NewPiecewise(BusyDay(1, 1), false, newRand(seed, 7))
		var hours [9]int
		total := 0
		for {
			at, ok := p.Next()
			if !ok {
				break
			}
			h := int(at / time.Hour)
			if h < 0 || h >= len(hours) {
				t.Fatalf("seed %d: arrival at %v, outside the 9-hour day", seed, at)
			}
			hours[h]++
			total++
		}
		if !within(total, BusyDayTotal, 4) {
			t.Errorf("seed %d: %d tickets in the day, want %d ± 4σ (DOMAIN: 15,000-20,000)", seed, total, BusyDayTotal)
		}
		want := busyDayHourly()
		for h, n := range hours {
			if !within(n, want[h], 4) {
				t.Errorf("seed %d: hour %d had %d tickets, want %.0f ± 4σ", seed, h, n, want[h])
			}
		}
		// DOMAIN: a morning peak of about 3,000 tickets in an hour.
		if !within(hours[1], 3000, 4) {
			t.Errorf("seed %d: peak hour 09:30-10:30 had %d tickets, want 3000 ± 4σ", seed, hours[1])
		}
	}
	t.Run("Compressed", func(t *testing.T) {
		// The day in 90 s at a tenth of the hall: 2,000 tickets.
		p := NewPiecewise(BusyDay(0.1, 9*3600/90), false, newRand(1, 7))
		n, last := 0, time.Duration(0)
		for {
			at, ok := p.Next()
			if !ok {
				break
			}
			n, last = n+1, at
		}
		if !within(n, 2000, 4) || last > 90*time.Second {
			t.Errorf("%d tickets, last at %v; want 2000 ± 4σ within 90s", n, last)
		}
		if got, want := BusyDayPeak()*3600, 3000.0; got != want {
			t.Errorf("peak %.0f/hour, want %.0f", got, want)
		}
	})
}

func TestPiecewiseQuietSegment(t *testing.T) {
	p := NewPiecewise([]Segment{{Length: time.Minute, Rate: 10}, {Length: time.Minute, Rate: 0}, {Length: time.Minute, Rate: 10}}, true, newRand(3, 3))
	for i := 0; i < 5000; i++ {
		at, ok := p.Next()
		if !ok {
			t.Fatal("a looping process ended")
		}
		if in := at % (3 * time.Minute); in >= time.Minute && in < 2*time.Minute {
			t.Fatalf("arrival at %v, inside the quiet minute", at)
		}
	}
}

func TestPaceDeliversEveryArrival(t *testing.T) {
	// Every arrival is already due (the start is an hour ago), so pace calls
	// fn for each at once, in order, and never waits.
	p := NewPiecewise([]Segment{{Length: time.Minute, Rate: 20}}, false, newRand(9, 9))
	want := 0
	for q := NewPiecewise([]Segment{{Length: time.Minute, Rate: 20}}, false, newRand(9, 9)); ; want++ {
		if _, ok := q.Next(); !ok {
			break
		}
	}
	got, last := 0, time.Duration(-1)
	err := pace(context.Background(), p, time.Now().Add(-time.Hour), func(at time.Duration) {
		if at < last {
			t.Errorf("arrival %v after %v", at, last)
		}
		got, last = got+1, at
	})
	if err != nil || got != want {
		t.Fatalf("pace: %d arrivals, err %v; want %d, nil", got, err, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := pace(ctx, NewPoisson(1, newRand(1, 1)), time.Now(), func(time.Duration) {}); err == nil {
		t.Fatal("pace with a done context returned nil")
	}
}
