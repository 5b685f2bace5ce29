package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"
)

// Sample collects latencies; it is safe for concurrent use.
type Sample struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one latency.
func (s *Sample) Add(d time.Duration) {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
}

// Summary is a sample's size and percentiles.
type Summary struct {
	N                  int
	P50, P90, P99, Max time.Duration
	Mean               time.Duration
}

// Summary computes the percentiles of what was recorded so far.
func (s *Sample) Summary() Summary {
	s.mu.Lock()
	d := slices.Clone(s.d)
	s.mu.Unlock()
	return summarize(d)
}

// summarize sorts d and takes its percentiles.
func summarize(d []time.Duration) Summary {
	if len(d) == 0 {
		return Summary{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return Summary{N: len(d), P50: percentile(d, 50), P90: percentile(d, 90), P99: percentile(d, 99),
		Max: d[len(d)-1], Mean: sum / time.Duration(len(d))}
}

// percentile is the nearest-rank p-th percentile of sorted: the smallest
// value with at least p% of the sample at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// fmtDur prints a latency compactly: 850µs, 3.2ms, 1.25s.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// ratio prints a/b as "3.1x", or "-" when either is missing.
func ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", float64(a)/float64(b))
}

// row is one line of the results table.
type row struct {
	name string
	s    Summary
	note string // shown instead of numbers when the sample is empty
}

// printTable writes the results table: each metric's percentiles and its
// p50 and p99 as multiples of the baseline's.
func printTable(w io.Writer, rows []row, base Summary, baseName string) {
	fmt.Fprintf(w, "%-34s %7s %9s %9s %9s %9s %11s %11s\n", "metric", "n", "p50", "p90", "p99", "max", "p50/base", "p99/base")
	for _, r := range rows {
		if r.s.N == 0 {
			note := r.note
			if note == "" {
				note = "no samples"
			}
			fmt.Fprintf(w, "%-34s %7d   %s\n", r.name, 0, note)
			continue
		}
		fmt.Fprintf(w, "%-34s %7d %9s %9s %9s %9s %11s %11s\n", r.name, r.s.N, fmtDur(r.s.P50), fmtDur(r.s.P90),
			fmtDur(r.s.P99), fmtDur(r.s.Max), ratio(r.s.P50, base.P50), ratio(r.s.P99, base.P99))
	}
	fmt.Fprintf(w, "base = %s\n", baseName)
}
