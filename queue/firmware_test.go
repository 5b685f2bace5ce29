package queue

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// fwHall is a hall of n callers and one kiosk with a clock, driving the core
// like the writer does: decide, apply, and FirmwareTick every "second".
type fwHall struct {
	s   *State
	now time.Time
	seq int64
	log []Event
}

func newFWHall(n int) *fwHall {
	sp := &Spec{HallID: "t", Location: time.UTC, Services: map[string]*ServiceSpec{}, Counters: map[string]*CounterSpec{},
		Devices: map[string]*DeviceSpec{}}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("caller-%02d", i)
		sp.Devices[id] = &DeviceSpec{ID: id, Kind: "caller"}
		sp.DeviceOrder = append(sp.DeviceOrder, id)
	}
	sp.Devices["kiosk-1"] = &DeviceSpec{ID: "kiosk-1", Kind: "kiosk"}
	sp.DeviceOrder = append(sp.DeviceOrder, "kiosk-1")
	return &fwHall{s: NewState(sp), now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
}

func (h *fwHall) apply(evs []Event) {
	for i := range evs {
		h.seq++
		evs[i].Seq = h.seq
		Apply(h.s, &evs[i])
	}
	h.log = append(h.log, evs...)
}

func (h *fwHall) do(t tb, cmd Command) (any, *Error) {
	t.Helper()
	out := Decide(h.s, h.now, cmd)
	h.apply(out.Events)
	if out.Err != nil {
		return nil, out.Err
	}
	if out.Result != nil {
		return out.Result(h.s), nil
	}
	return nil, nil
}

func (h *fwHall) must(t tb, cmd Command) any {
	t.Helper()
	res, err := h.do(t, cmd)
	if err != nil {
		t.Fatalf("%T: %v", cmd, err)
	}
	return res
}

func (h *fwHall) tick(d time.Duration) {
	h.now = h.now.Add(d)
	h.apply(FirmwareTick(h.s, h.now))
}

func (h *fwHall) status(t tb, dev string, online bool, fw, state string) {
	t.Helper()
	if _, err := h.do(t, ReportPresence{Device: dev, Online: online, FW: fw, FWState: state}); err != nil {
		t.Fatalf("status of %s: %v", dev, err)
	}
}

func (h *fwHall) rollout(id string) *Rollout { return h.s.Firmware.RolloutByID(id) }

func sha(c byte) string { return strings.Repeat(string(c), 64) }

func (h *fwHall) images(t tb, versions ...string) {
	for i, v := range versions {
		h.must(t, StoreFirmwareImage{Kind: "caller", Version: v, SHA256: sha(byte('a' + i)), Size: int64(100 + i)})
	}
}

func TestRolloutStages(t *testing.T) {
	h := newFWHall(10)
	for _, id := range h.s.Spec.DeviceOrder {
		h.status(t, id, true, "1.0.0", FWIdle)
	}
	h.images(t, "1.0.0", "1.1.0")
	res := h.must(t, StartRollout{Kind: "caller", Version: "1.1.0", CanaryPercent: 15, SoakS: 60, MaxFailures: 1}).(*RolloutView)
	if got, want := res.State, RolloutCanary; got != want {
		t.Fatalf("state = %s, want %s", got, want)
	}
	if got, want := len(h.s.Firmware.Offers), 2; got != want { // ceil(15% of 10)
		t.Fatalf("offers = %d, want %d", got, want)
	}
	if _, err := h.do(t, StartRollout{Kind: "caller", Version: "1.0.0", CanaryPercent: 10}); err == nil || err.Code != InvalidState {
		t.Fatalf("second rollout of the kind = %v, want invalid_state", err)
	}
	r := h.rollout(res.ID)
	canaries := []string{r.Devices[0].ID, r.Devices[1].ID}
	h.status(t, canaries[0], true, "1.0.0", FWDownloading)
	h.status(t, canaries[0], true, "1.1.0", FWIdle)
	h.tick(time.Hour)
	if r.State != RolloutCanary {
		t.Fatalf("rolled on with a canary not updated: %s", r.State)
	}
	h.status(t, canaries[1], true, "1.1.0", FWIdle)
	h.tick(59 * time.Second)
	if r.State != RolloutCanary {
		t.Fatalf("rolled on before the soak: %s", r.State)
	}
	h.tick(time.Second)
	if r.State != RolloutRolling || len(h.s.Firmware.Offers) != 10 {
		t.Fatalf("after the soak: state %s, %d offers; want rolling, 10", r.State, len(h.s.Firmware.Offers))
	}
	if o := h.s.Firmware.Offers["kiosk-1"]; o != nil {
		t.Fatalf("kiosk offered %v", o)
	}
	for _, d := range r.Devices[2:] {
		h.status(t, d.ID, true, "1.1.0", FWIdle)
	}
	h.tick(time.Second)
	if r.State != RolloutDone {
		t.Fatalf("state = %s, want done", r.State)
	}
	// Rollback: every device is offered the 1.0.0 it ran before.
	h.must(t, RollbackRollout{ID: r.ID})
	for _, d := range r.Devices {
		if o := h.s.Firmware.Offers[d.ID]; o == nil || o.Version != "1.0.0" || o.SHA256 != sha('a') {
			t.Fatalf("after rollback %s is offered %+v", d.ID, o)
		}
	}
	if _, err := h.do(t, RollbackRollout{ID: r.ID}); err == nil || err.Code != InvalidState {
		t.Fatalf("second rollback = %v, want invalid_state", err)
	}
}

func TestRolloutHaltsOnFailures(t *testing.T) {
	h := newFWHall(10)
	for _, id := range h.s.Spec.DeviceOrder {
		h.status(t, id, true, "1.0.0", FWIdle)
	}
	h.images(t, "1.0.0", "2.0.0")
	res := h.must(t, StartRollout{Kind: "caller", Version: "2.0.0", CanaryPercent: 30, SoakS: 0, MaxFailures: 1}).(*RolloutView)
	r := h.rollout(res.ID)
	h.status(t, r.Devices[0].ID, true, "1.0.0", FWFailed)
	if r.State != RolloutCanary || r.Failures != 1 {
		t.Fatalf("one failure of max 1: %s with %d failures", r.State, r.Failures)
	}
	h.status(t, r.Devices[1].ID, true, "1.0.0", FWFailed)
	if r.State != RolloutHalted || r.Reason != "max_failures" {
		t.Fatalf("two failures of max 1: state %s (%s), want halted", r.State, r.Reason)
	}
	h.status(t, r.Devices[2].ID, true, "2.0.0", FWIdle)
	h.tick(time.Hour)
	if got := len(h.s.Firmware.Offers); got != 3 || r.State != RolloutHalted {
		t.Fatalf("after the halt: %d offers and state %s; want the 3 canaries only, halted", got, r.State)
	}
	h.must(t, RollbackRollout{ID: r.ID})
	if r.State != RolloutRolledBack {
		t.Fatalf("state = %s", r.State)
	}
	for _, d := range r.Devices[:3] {
		if o := h.s.Firmware.Offers[d.ID]; o == nil || o.Version != "1.0.0" {
			t.Fatalf("%s offered %+v after rollback", d.ID, o)
		}
	}
	// The kind is free again.
	h.must(t, StartRollout{Kind: "caller", Version: "2.0.0", CanaryPercent: 0})
}

func TestRolloutOfflineDeviceTimesOut(t *testing.T) {
	h := newFWHall(2)
	h.status(t, "caller-01", true, "1.0.0", FWIdle)
	h.images(t, "1.0.0", "1.1.0")
	res := h.must(t, StartRollout{Kind: "caller", Version: "1.1.0", CanaryPercent: 100, MaxFailures: 0, DeviceTimeoutS: 600}).(*RolloutView)
	r := h.rollout(res.ID)
	h.status(t, "caller-01", true, "1.0.0", FWDownloading)
	h.status(t, "caller-01", false, "1.0.0", FWDownloading) // offline mid-download
	h.tick(599 * time.Second)
	if r.Failures != 0 || r.State != RolloutCanary {
		t.Fatalf("offline mid-download counted as failed before the timeout: %+v", r)
	}
	h.tick(time.Second)
	if r.Failures != 1 || r.State != RolloutHalted {
		t.Fatalf("after the timeout: %d failures, state %s; want 1, halted", r.Failures, r.State)
	}
}

// TestRolloutOfflineDeviceDoesNotHoldUp: a device offline since it was
// offered the version neither fails by the timeout nor keeps the rollout
// from done; its timeout counts from when it comes back.
func TestRolloutOfflineDeviceDoesNotHoldUp(t *testing.T) {
	h := newFWHall(3)
	h.status(t, "caller-01", true, "1.0.0", FWIdle)
	h.status(t, "caller-02", true, "1.0.0", FWIdle)
	h.images(t, "1.0.0", "1.1.0")
	res := h.must(t, StartRollout{Kind: "caller", Version: "1.1.0", CanaryPercent: 33, MaxFailures: 0, DeviceTimeoutS: 600}).(*RolloutView)
	r := h.rollout(res.ID)
	if got := r.Devices[0].ID; got != "caller-01" {
		t.Fatalf("canary %s, want the first online caller", got)
	}
	h.status(t, "caller-01", true, "1.1.0", FWIdle)
	h.tick(time.Second)
	if r.State != RolloutRolling {
		t.Fatalf("state %s, want rolling", r.State)
	}
	h.status(t, "caller-02", true, "1.1.0", FWIdle)
	h.tick(time.Hour) // caller-03 has been offline all along
	if r.State != RolloutDone || r.Failures != 0 {
		t.Fatalf("state %s with %d failures, want done with none", r.State, r.Failures)
	}
	if o := h.s.Firmware.Offers["caller-03"]; o == nil || o.Version != "1.1.0" {
		t.Fatalf("caller-03 keeps no offer: %+v", o)
	}
}

// TestRolloutStaleFailure: a device still reporting the failure of an
// earlier rollout (e.g. its retained status after a reconnect) is not failed
// in the next one until it fails again.
func TestRolloutStaleFailure(t *testing.T) {
	h := newFWHall(2)
	h.status(t, "caller-01", true, "1.0.0", FWIdle)
	h.status(t, "caller-02", true, "1.0.0", FWIdle)
	h.images(t, "1.0.0", "2.0.0", "2.0.1")
	first := h.must(t, StartRollout{Kind: "caller", Version: "2.0.0", CanaryPercent: 100, MaxFailures: 0}).(*RolloutView)
	h.status(t, "caller-01", true, "1.0.0", FWFailed)
	if r := h.rollout(first.ID); r.State != RolloutHalted {
		t.Fatalf("first rollout %s, want halted", r.State)
	}
	second := h.must(t, StartRollout{Kind: "caller", Version: "2.0.1", CanaryPercent: 100, MaxFailures: 0}).(*RolloutView)
	r := h.rollout(second.ID)
	h.status(t, "caller-01", false, "1.0.0", FWFailed) // Last Will, then the retained status again
	h.status(t, "caller-01", true, "1.0.0", FWFailed)
	if r.State != RolloutCanary || r.Failures != 0 {
		t.Fatalf("a stale failed status counted: %s with %d failures", r.State, r.Failures)
	}
	h.status(t, "caller-01", true, "1.0.0", FWDownloading)
	h.status(t, "caller-01", true, "1.0.0", FWFailed)
	if r.State != RolloutHalted || r.Failures != 1 {
		t.Fatalf("a new failure: %s with %d failures, want halted with 1", r.State, r.Failures)
	}
}

func TestRolloutRefusals(t *testing.T) {
	h := newFWHall(3)
	h.images(t, "1.0.0")
	for _, tc := range []struct {
		cmd  Command
		code Code
	}{
		{StartRollout{Kind: "caller", Version: "9.9.9", CanaryPercent: 10}, BadRequest},
		{StartRollout{Kind: "toaster", Version: "1.0.0"}, BadRequest},
		{StartRollout{Kind: "caller", Version: "1.0.0", CanaryPercent: 101}, BadRequest},
		{StartRollout{Kind: "caller", Version: "1.0.0", SoakS: -1}, BadRequest},
		{StartRollout{Kind: "hall_screen", Version: "1.0.0"}, BadRequest},
		{StoreFirmwareImage{Kind: "caller", Version: "1.0.0", SHA256: sha('z'), Size: 1}, InvalidState},
		{StoreFirmwareImage{Kind: "caller", Version: "../x", SHA256: sha('z'), Size: 1}, BadRequest},
		{HaltRollout{ID: "fw-9"}, BadRequest},
		{ReportPresence{Device: "caller-01", Online: true, FWState: "exploded"}, BadRequest},
	} {
		if _, err := h.do(t, tc.cmd); err == nil || err.Code != tc.code {
			t.Errorf("%+v = %v, want %s", tc.cmd, err, tc.code)
		}
	}
	if len(h.log) != 1 {
		t.Fatalf("refusals stored events: %+v", h.log[1:])
	}
}

// TestRolloutProperties drives random statuses, ticks, halts and rollbacks
// and checks the rules of CONTRACT §6 after every step, and that replaying
// the journal rebuilds the same firmware state.
func TestRolloutProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(t, "devices")
		h := newFWHall(n)
		h.images(t, "1.0", "2.0")
		ids := h.s.Spec.DeviceOrder[:n]
		for _, id := range ids {
			if rapid.Bool().Draw(t, "online") {
				h.status(t, id, true, "1.0", FWIdle)
			}
		}
		maxFail := rapid.IntRange(0, 3).Draw(t, "max_failures")
		res := h.must(t, StartRollout{Kind: "caller", Version: "2.0", CanaryPercent: rapid.Float64Range(0, 100).Draw(t, "pct"),
			SoakS: rapid.IntRange(0, 30).Draw(t, "soak"), MaxFailures: maxFail, DeviceTimeoutS: rapid.IntRange(0, 60).Draw(t, "timeout")}).(*RolloutView)
		r := h.rollout(res.ID)
		offeredAtHalt := -1
		for step := 0; step < 60; step++ {
			switch rapid.IntRange(0, 9).Draw(t, "step") {
			case 0, 1, 2, 3:
				id := rapid.SampledFrom(ids).Draw(t, "dev")
				fw := rapid.SampledFrom([]string{"1.0", "2.0"}).Draw(t, "fw")
				st := rapid.SampledFrom([]string{FWIdle, FWDownloading, FWInstalling, FWFailed}).Draw(t, "fw_state")
				h.status(t, id, rapid.Bool().Draw(t, "on"), fw, st)
			case 4, 5, 6:
				h.tick(time.Duration(rapid.IntRange(1, 20).Draw(t, "secs")) * time.Second)
			case 7:
				h.do(t, HaltRollout{ID: r.ID})
			case 8:
				if rapid.IntRange(0, 4).Draw(t, "rb") == 0 {
					h.do(t, RollbackRollout{ID: r.ID})
				}
			}
			if r.State == RolloutHalted && offeredAtHalt < 0 {
				offeredAtHalt = countTargeted(r, "2.0")
			}
			if offeredAtHalt >= 0 && r.State == RolloutHalted && countTargeted(r, "2.0") != offeredAtHalt {
				t.Fatalf("a halted rollout offered its version to another device")
			}
			if r.Failures > maxFail && r.Active() {
				t.Fatalf("%d failures of max %d and still %s", r.Failures, maxFail, r.State)
			}
			if r.State == RolloutCanary && countTargeted(r, "2.0") != r.Params.CanaryCount {
				t.Fatalf("canary stage offers %d devices, want %d", countTargeted(r, "2.0"), r.Params.CanaryCount)
			}
			if want := max(1, int(ceilPct(r.Params.CanaryPercent, n))); r.Params.CanaryCount != min(want, n) {
				t.Fatalf("canaries %d for %v%% of %d", r.Params.CanaryCount, r.Params.CanaryPercent, n)
			}
		}
		replay := NewState(h.s.Spec)
		for i := range h.log {
			e := h.log[i]
			Apply(replay, &e)
		}
		got, _ := json.Marshal(replay.Firmware)
		want, _ := json.Marshal(h.s.Firmware)
		if string(got) != string(want) {
			t.Fatalf("replay differs:\n%s\n%s", got, want)
		}
	})
}

func countTargeted(r *Rollout, v string) int {
	n := 0
	for _, d := range r.Devices {
		if d.Target == v {
			n++
		}
	}
	return n
}

func ceilPct(p float64, n int) float64 {
	x := p * float64(n) / 100
	if x != float64(int(x)) {
		return float64(int(x) + 1)
	}
	return x
}

// tb is what both *testing.T and *rapid.T offer.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}
