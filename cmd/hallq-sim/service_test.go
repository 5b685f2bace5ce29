package main

import (
	"math"
	"testing"
	"time"
)

func TestLogNormal(t *testing.T) {
	l := NewLogNormal(5*time.Minute, serviceCV)
	if got := l.Mean(); math.Abs(got.Seconds()-300) > 0.001 {
		t.Fatalf("Mean() = %v, want 5m", got)
	}
	rng := newRand(1, 1)
	const n = 200000
	var sum, sum2 float64
	for i := 0; i < n; i++ {
		d := l.Draw(rng)
		if d <= 0 {
			t.Fatalf("draw %d: %v, want positive", i, d)
		}
		s := d.Seconds()
		sum, sum2 = sum+s, sum2+s*s
	}
	mean := sum / n
	sd := math.Sqrt(sum2/n - mean*mean)
	// The standard error of the mean is sd/sqrt(n) ≈ 0.4 s; allow 5 of them.
	if math.Abs(mean-300) > 5*300*serviceCV/math.Sqrt(n) {
		t.Errorf("mean %.2fs, want 300s", mean)
	}
	if cv := sd / mean; math.Abs(cv-serviceCV) > 0.02 {
		t.Errorf("coefficient of variation %.3f, want %.2f", cv, serviceCV)
	}
}

func TestDrawLevel(t *testing.T) {
	rng := newRand(1, 2)
	const n = 100000
	var count [6]int
	for i := 0; i < n; i++ {
		level := drawLevel(rng)
		if level < 1 || level > 5 {
			t.Fatalf("level %d outside 1-5", level)
		}
		count[level]++
	}
	w := ratingWeights()
	for level := 1; level <= 5; level++ {
		p := w[level]
		sd := math.Sqrt(n * p * (1 - p))
		if math.Abs(float64(count[level])-n*p) > 5*sd {
			t.Errorf("level %d drawn %d times, want %.0f ± 5σ", level, count[level], n*p)
		}
	}
	if count[5] <= count[4] || count[4] <= count[3] {
		t.Errorf("levels %v: want mostly 5, then 4", count)
	}
	if got, want := levelName(5), "非常满意"; got != want {
		t.Errorf("levelName(5) = %q, want %q", got, want)
	}
}
