package main

import (
	"math"
	"math/rand/v2"
	"time"
)

// LogNormal is a lognormal distribution of durations, the usual shape of
// counter service times: most visits near the average, a long tail of
// difficult cases, never negative.
type LogNormal struct {
	Mu, Sigma float64 // of the underlying normal, in log-seconds
}

// NewLogNormal is the lognormal distribution with the given mean and
// coefficient of variation (standard deviation / mean).
func NewLogNormal(mean time.Duration, cv float64) LogNormal {
	s2 := math.Log1p(cv * cv)
	return LogNormal{Mu: math.Log(mean.Seconds()) - s2/2, Sigma: math.Sqrt(s2)}
}

// Draw returns one duration.
func (l LogNormal) Draw(rng *rand.Rand) time.Duration {
	return time.Duration(math.Exp(l.Mu+l.Sigma*rng.NormFloat64()) * float64(time.Second))
}

// Mean is the distribution's mean.
func (l LogNormal) Mean() time.Duration {
	return time.Duration(math.Exp(l.Mu+l.Sigma*l.Sigma/2) * float64(time.Second))
}

// serviceCV is the spread of service times around each service's average
// (avg_service_s): a cv of 0.6 puts about 1 visit in 10 at over 1.8x the average.
const serviceCV = 0.6

// ratingWeights is how citizens rate, by level 1..5 (index 0 unused): mostly
// 非常满意 and 满意, as the published 好评率 of service halls (above 99%)
// suggests, with a few 差评 so reports have something to show.
func ratingWeights() [6]float64 {
	return [6]float64{0, 0.01, 0.02, 0.05, 0.20, 0.72}
}

// drawLevel draws a rating level 1..5 from ratingWeights.
func drawLevel(rng *rand.Rand) int {
	w := ratingWeights()
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := rng.Float64() * total
	for level := 5; level >= 1; level-- {
		if u < w[level] {
			return level
		}
		u -= w[level]
	}
	return 5
}

// levelName is the named level of CONTRACT §2 rating.submit (5 = 非常满意).
func levelName(level int) string {
	names := [6]string{"?", "非常不满意", "不满意", "基本满意", "满意", "非常满意"}
	if level < 1 || level > 5 {
		return names[0]
	}
	return names[level]
}

// Behaviour is what citizens and staff do at the counters, as probabilities
// per visit and durations in real (uncompressed) time.
type Behaviour struct {
	Green       float64   // share of tickets taken on the green channel (绿色通道)
	Absent      float64   // the called citizen is not at the counter yet
	LateArrives float64   // an absent citizen turns up after a recall (else 过号)
	Transfer    float64   // the visit is transferred to another service
	Hold        float64   // the visit is held (挂起) for a missing document
	Unrated     float64   // the citizen walks away without rating (未评价)
	WalkUp      LogNormal // from the call to the citizen sitting down
	RecallAfter LogNormal // how long staff wait before recalling
	HoldFor     LogNormal // how long a held visit waits for its document
	Think       LogNormal // from the rating prompt to the key press (DOMAIN: ~10 s)
	Idle        LogNormal // how long an idle counter waits before calling again
}

// DefaultBehaviour is a plausible hall.
func DefaultBehaviour() Behaviour {
	return Behaviour{
		Green:       0.06,
		Absent:      0.06,
		LateArrives: 0.5,
		Transfer:    0.03,
		Hold:        0.02,
		Unrated:     0.08,
		WalkUp:      NewLogNormal(25*time.Second, 0.5),
		RecallAfter: NewLogNormal(40*time.Second, 0.3),
		HoldFor:     NewLogNormal(10*time.Minute, 0.5),
		Think:       NewLogNormal(5*time.Second, 0.6),
		Idle:        NewLogNormal(60*time.Second, 0.5),
	}
}

// chance reports true with probability p.
func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

// newRand is a deterministic random source for one part of the simulation:
// the same seed and stream always draw the same numbers, whatever order the
// goroutines run in.
func newRand(seed uint64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
}
