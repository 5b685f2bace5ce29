package devices

import (
	"context"
	"encoding/json"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hallq/hallq/queue"
)

// presenceState is what hallq records of a device's presence.
type presenceState struct {
	Online        bool
	FW            string
	ConfigVersion int
	FWState       string // CONTRACT §6: idle|downloading|installing|failed
	FWError       string
}

type presenceDev struct {
	kind    string
	want    presenceState // the latest report from the broker
	done    presenceState // what the hall has recorded
	running bool          // a reporter goroutine is at work for this device
}

// presence turns connects, disconnects, status messages and Last Wills into
// ReportPresence commands (CONTRACT §2 status). Reports for one device are
// made one at a time and coalesced: the hall always ends with the latest.
type presence struct {
	mu      sync.Mutex
	devs    map[string]*presenceDev
	report  func(ctx context.Context, id string, p presenceState) error
	gauge   func(kind string, delta float64)
	ctx     context.Context
	wg      sync.WaitGroup
	closing bool
}

// presenceRetry is how long a failed report waits before it is tried again.
const presenceRetry = time.Second

func newPresence(ctx context.Context, sp *queue.Spec, recorded map[string]presenceState,
	report func(context.Context, string, presenceState) error, gauge func(string, float64)) *presence {
	p := &presence{devs: map[string]*presenceDev{}, report: report, gauge: gauge, ctx: ctx}
	for _, id := range sp.DeviceOrder {
		st := recorded[id]
		kind := sp.Devices[id].Kind
		p.devs[id] = &presenceDev{kind: kind, want: st, done: st}
		gauge(kind, 0) // every configured kind has a series from the start
		if st.Online {
			gauge(kind, 1)
		}
	}
	return p
}

// update changes a device's wanted presence and reports it.
func (p *presence) update(id string, change func(*presenceState)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.devs[id]
	if d == nil || p.closing {
		return
	}
	was := d.want.Online
	change(&d.want)
	if was != d.want.Online {
		delta := 1.0
		if !d.want.Online {
			delta = -1
		}
		p.gauge(d.kind, delta)
	}
	if d.want != d.done && !d.running {
		d.running = true
		p.wg.Add(1)
		go p.run(id, d)
	}
}

// run reports d's presence until the hall has the latest.
func (p *presence) run(id string, d *presenceDev) {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		if d.want == d.done || p.closing {
			d.running = false
			p.mu.Unlock()
			return
		}
		want := d.want
		p.mu.Unlock()
		if err := p.report(p.ctx, id, want); err != nil {
			select {
			case <-time.After(presenceRetry):
			case <-p.ctx.Done():
				p.mu.Lock()
				d.running = false
				p.mu.Unlock()
				return
			}
			continue
		}
		p.mu.Lock()
		d.done = want
		p.mu.Unlock()
	}
}

// setOnline marks a device online or offline, keeping what its status said.
func (p *presence) setOnline(id string, online bool) {
	p.update(id, func(s *presenceState) { s.Online = online })
}

// status applies a dev/{id}/status message: {"online":true,"fw":"1.0.3",
// "config_version":4,"fw_state":"idle","fw_error":"…"} (CONTRACT §2, §6), or
// the Last Will {"online":false}. Absent, mistyped or out-of-range fields
// keep their value (fw longer than 64 bytes, an unknown fw_state); fw_error
// is cut to 256 bytes without control characters. A message without
// "online" means online.
func (p *presence) status(id string, payload []byte) {
	var m map[string]json.RawMessage
	if len(payload) == 0 || len(payload) > maxStatus || json.Unmarshal(payload, &m) != nil || m == nil {
		return
	}
	online := true
	if raw, ok := m["online"]; ok {
		_ = json.Unmarshal(raw, &online)
	}
	var fw *string
	if raw, ok := m["fw"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil && len(s) <= 64 {
			fw = &s
		}
	}
	var fwState, fwError *string
	if raw, ok := m["fw_state"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil && queue.ValidFWState(s) {
			fwState = &s
		}
	}
	if raw, ok := m["fw_error"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			s = boundText(s, maxFWError)
			fwError = &s
		}
	}
	var cv *int
	if raw, ok := m["config_version"]; ok {
		var n int
		if json.Unmarshal(raw, &n) == nil && n >= 0 {
			cv = &n
		}
	}
	p.update(id, func(s *presenceState) {
		s.Online = online
		if fw != nil {
			s.FW = *fw
		}
		if cv != nil {
			s.ConfigVersion = *cv
		}
		if fwState != nil {
			s.FWState = *fwState
			if *fwState != queue.FWFailed && fwError == nil {
				s.FWError = "" // an error is only kept while the device reports failed
			}
		}
		if fwError != nil {
			s.FWError = *fwError
		}
	})
}

// maxFWError bounds a reported fw_error, in bytes.
const maxFWError = 256

// boundText drops control characters and cuts s to at most n bytes on a
// UTF-8 boundary.
func boundText(s string, n int) string {
	out := make([]rune, 0, len(s))
	size := 0
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			continue
		}
		if size+utf8.RuneLen(r) > n {
			break
		}
		size += utf8.RuneLen(r)
		out = append(out, r)
	}
	return string(out)
}

// maxStatus is the largest status payload read (CONTRACT §2: 8 KiB).
const maxStatus = 8 << 10

// close stops reporting; in-flight reports finish.
func (p *presence) close() {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	p.wg.Wait()
}
