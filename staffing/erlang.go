// Package staffing is the 高峰应急 staffing advice: how many counters a
// service needs to meet its target wait at the current arrival rate, by
// the Erlang C model of a queue with c servers (M/M/c).
package staffing

import "math"

// ErlangC is the probability that an arrival has to wait, with c servers
// and an offered load of a Erlangs (arrival rate × mean service time). It
// is 1 when c ≤ a: the queue grows without bound.
func ErlangC(c int, a float64) float64 {
	if c <= 0 || a >= float64(c) {
		return 1
	}
	if a <= 0 {
		return 0
	}
	b := 1.0 // Erlang B by the stable recursion B(k) = a·B(k−1) / (k + a·B(k−1))
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	rho := a / float64(c)
	return b / (1 - rho*(1-b))
}

// ServiceLevel is the share of arrivals that wait at most t seconds, with c
// servers, lambda arrivals per second and a mean service of mean seconds.
func ServiceLevel(c int, lambda, mean, t float64) float64 {
	if lambda <= 0 {
		return 1
	}
	a := lambda * mean
	if c <= 0 || a >= float64(c) {
		return 0
	}
	pw := ErlangC(c, a)
	return 1 - pw*math.Exp(-(float64(c)-a)*t/mean)
}

// MeanWait is the mean wait in seconds with c servers; +Inf when c ≤ a.
func MeanWait(c int, lambda, mean float64) float64 {
	if lambda <= 0 {
		return 0
	}
	a := lambda * mean
	if c <= 0 || a >= float64(c) {
		return math.Inf(1)
	}
	return ErlangC(c, a) * mean / (float64(c) - a)
}

// Needed is the fewest servers whose service level for target t reaches
// goal (0-1), searching up to max servers; ok is false if max is not enough.
func Needed(lambda, mean, t, goal float64, max int) (n int, ok bool) {
	if lambda <= 0 || mean <= 0 {
		return 0, true
	}
	start := int(math.Floor(lambda*mean)) + 1 // fewer cannot keep up
	if start < 1 {
		start = 1
	}
	for c := start; c <= max; c++ {
		if ServiceLevel(c, lambda, mean, t) >= goal {
			return c, true
		}
	}
	return max, false
}
