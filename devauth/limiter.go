package devauth

import (
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Limiter limits failed device logins (MQTT CONNECT, HTTP device and kiosk
// page tokens) per remote address and per device id, so that secrets
// cannot be guessed at full speed (docs/robustness.md). After Max failures
// within Window from one address, that address is refused for the rest of
// the window without its secret being checked; likewise for a device id,
// except from an address that has not failed in the window, so that an
// attacker cannot lock the real device out. Failures are logged as one
// summary line a minute, not one line each.
type Limiter struct {
	max    int
	window time.Duration
	clock  func() time.Time
	log    zerolog.Logger

	mu      sync.Mutex
	keys    map[string]*failures
	sum     summary
	lastLog time.Time
	blocked func(kind string) // metric hook; nil = none
}

type failures struct {
	start time.Time // window start
	n     int
}

// summary is what the next log line reports.
type summary struct {
	failed, refused int
	byAddr, byID    map[string]int
}

// NewLimiter allows max failures per window per address and per device id.
// blocked, when set, is called for each attempt refused unchecked, with
// "address" or "device".
func NewLimiter(max int, window time.Duration, log zerolog.Logger, clock func() time.Time, blocked func(kind string)) *Limiter {
	if clock == nil {
		clock = time.Now
	}
	return &Limiter{max: max, window: window, clock: clock, log: log, keys: map[string]*failures{}, blocked: blocked}
}

// maxKeys bounds the limiter's memory; past it, expired entries are dropped.
const maxKeys = 100_000

func (l *Limiter) count(key string, now time.Time) int {
	f := l.keys[key]
	if f == nil || now.Sub(f.start) >= l.window {
		return 0
	}
	return f.n
}

// allow reports whether a login of id from addr may be checked now.
func (l *Limiter) allow(id, addr string) bool {
	if l == nil {
		return true
	}
	now := l.clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	kind := ""
	addrFails := l.count("a:"+addr, now)
	switch {
	case addrFails >= l.max:
		kind = "address"
	case addrFails > 0 && l.count("d:"+id, now) >= l.max:
		kind = "device"
	}
	if kind == "" {
		return true
	}
	l.sum.refused++
	l.note(id, addr, now)
	if l.blocked != nil {
		l.blocked(kind)
	}
	return false
}

// failed records a failed login of id from addr.
func (l *Limiter) failed(id, addr string) {
	if l == nil {
		return
	}
	now := l.clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.keys) >= maxKeys {
		for k, f := range l.keys {
			if now.Sub(f.start) >= l.window {
				delete(l.keys, k)
			}
		}
	}
	for _, k := range []string{"a:" + addr, "d:" + id} {
		f := l.keys[k]
		if f == nil || now.Sub(f.start) >= l.window {
			f = &failures{start: now}
			l.keys[k] = f
		}
		f.n++
	}
	l.sum.failed++
	l.note(id, addr, now)
}

// note adds an attempt to the summary and logs it once a minute.
func (l *Limiter) note(id, addr string, now time.Time) {
	if l.sum.byAddr == nil {
		l.sum.byAddr, l.sum.byID = map[string]int{}, map[string]int{}
	}
	if len(l.sum.byAddr) < 1000 {
		l.sum.byAddr[addr]++
	}
	if len(l.sum.byID) < 1000 {
		l.sum.byID[clip(id)]++
	}
	if now.Sub(l.lastLog) < time.Minute {
		return
	}
	l.lastLog = now
	l.log.Warn().Int("failed", l.sum.failed).Int("refused_unchecked", l.sum.refused).
		Strs("top_addresses", top(l.sum.byAddr, 5)).Strs("top_devices", top(l.sum.byID, 5)).
		Msg("failed device logins since the last summary 设备认证失败汇总")
	l.sum = summary{}
}

func top(m map[string]int, n int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}
