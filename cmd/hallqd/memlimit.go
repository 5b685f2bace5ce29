package main

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
)

// defaultMemoryLimit is hallqd's soft memory limit (runtime/debug.SetMemoryLimit)
// unless --memory-limit or GOMEMLIMIT says otherwise. Without one the Go
// collector lets the heap grow to twice what is live before it runs, and
// peaks under overload left hallqd at 300+ MB resident; with it the
// collector works harder near the limit instead. 100 MiB keeps hallqd under
// 150 MB resident through a --find-max ramp of 60,000 tickets in a day (a
// busy day is 20,000) at the rate 128 MiB sustained before snapshots were
// streamed (docs/benchmarks.md, memory). A hall whose day keeps more than
// about 70 MB live should raise it: past the limit the collector may take
// up to half the CPU.
const defaultMemoryLimit = 100 << 20

// gcPercentWithLimit is GOGC while a memory limit is set: the collector
// runs when the heap has grown by twice what is live (rather than once),
// which halves its CPU on a quiet heap, and the limit caps where that
// growth may go.
const gcPercentWithLimit = 200

// parseSize reads a byte size: a number with an optional B, KiB, MiB or GiB
// suffix, or "off" (no limit, -1).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return -1, nil
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = v, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("bad size %q: want e.g. 128MiB, 1GiB or off", s)
	}
	return n * mult, nil
}

// applyMemoryLimit sets the soft memory limit from --memory-limit; an
// explicit GOMEMLIMIT in the environment wins over the default.
func applyMemoryLimit(flagValue string, set bool, log zerolog.Logger) error {
	if !set && os.Getenv("GOMEMLIMIT") != "" {
		log.Info().Str("GOMEMLIMIT", os.Getenv("GOMEMLIMIT")).Msg("soft memory limit from the environment")
		return nil
	}
	n := int64(defaultMemoryLimit)
	if set {
		v, err := parseSize(flagValue)
		if err != nil {
			return fmt.Errorf("--memory-limit: %w", err)
		}
		n = v
	}
	if n < 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return nil
	}
	debug.SetMemoryLimit(n)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercentWithLimit)
	}
	return nil
}
