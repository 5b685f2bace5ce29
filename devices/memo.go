package devices

import (
	"sync"
	"time"
)

// memoKey is one request of one device.
type memoKey struct{ device, reqID string }

type memoEntryRef struct {
	key memoKey
	at  time.Time
}

type memoEntry struct {
	body []byte // the response as published
	at   time.Time
}

// memo remembers the responses sent per (device, req_id) (CONTRACT §2
// idempotency). The hall keeps its own durable record of every request it
// carried out; the memo adds the requests refused before they reach the hall
// (bad_request, forbidden) and lets such a refusal answer like the first
// time for a req_id the hall already carried out.
type memo struct {
	mu    sync.Mutex
	m     map[memoKey]memoEntry
	order []memoEntryRef // insertion order, for expiry
	head  int            // order[:head] are gone
	ttl   time.Duration
	max   int
}

func newMemo(ttl time.Duration, max int) *memo {
	return &memo{m: map[memoKey]memoEntry{}, ttl: ttl, max: max}
}

func (m *memo) get(k memoKey) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[k]
	return e.body, ok
}

// put records body, sent at at, for k unless k is already known; it returns
// the body that stands.
func (m *memo) put(k memoKey, body []byte, at, now time.Time) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[k]; ok {
		return e.body
	}
	m.m[k] = memoEntry{body: body, at: at}
	m.order = append(m.order, memoEntryRef{k, at})
	m.prune(now)
	return body
}

// prune drops entries past the retention or over the size bound, oldest first.
func (m *memo) prune(now time.Time) {
	for m.head < len(m.order) {
		ref := m.order[m.head]
		if len(m.m) <= m.max && now.Sub(ref.at) <= m.ttl {
			break
		}
		if e, ok := m.m[ref.key]; ok && e.at.Equal(ref.at) {
			delete(m.m, ref.key)
		}
		m.head++
	}
	if m.head > 1024 && m.head*2 > len(m.order) {
		m.order = append([]memoEntryRef(nil), m.order[m.head:]...)
		m.head = 0
	}
}

func (m *memo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
