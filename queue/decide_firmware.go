package queue

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// StoreFirmwareImage records an uploaded image (CONTRACT §6 images); the
// bytes are already stored under their sha256.
type StoreFirmwareImage struct {
	Kind, Version, SHA256 string
	Size                  int64
}

// StartRollout starts a staged rollout of an uploaded image to every device
// of its kind (CONTRACT §6 rollouts).
type StartRollout struct {
	Kind, Version  string
	CanaryPercent  float64
	SoakS          int
	MaxFailures    int
	DeviceTimeoutS int // 0 = devices never fail by timeout
	By             string
}

// HaltRollout stops a rollout: no further device is offered its version.
type HaltRollout struct{ ID, By string }

// RollbackRollout offers each device the rollout touched the fw it reported
// before the rollout first targeted it.
type RollbackRollout struct{ ID, By string }

func (StoreFirmwareImage) command() {}
func (StartRollout) command()       {}
func (HaltRollout) command()        {}
func (RollbackRollout) command()    {}

// Bounds of rollout parameters.
const (
	maxSoakS        = 7 * 24 * 3600
	maxVersionLen   = 64
	maxFWErrorLen   = 256
	rolloutIDPrefix = "fw-"
)

// CheckVersion checks a firmware version: 1-64 of [A-Za-z0-9._+-].
func CheckVersion(v string) *Error {
	if v == "" || len(v) > maxVersionLen {
		return Errorf(BadRequest, "版本号长度应为1-64 version must be 1-64 characters")
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '+' || r == '-') {
			return Errorf(BadRequest, "版本号含非法字符 version %q may hold only A-Z a-z 0-9 . _ + -", v)
		}
	}
	return nil
}

func checkKind(k string) *Error {
	switch k { // CONTRACT §1 device kinds
	case "kiosk", "caller", "counter_display", "rater", "hall_screen":
	default:
		return Errorf(BadRequest, "未知设备类型 unknown device kind %q", k)
	}
	return nil
}

func decideStoreImage(s *State, now time.Time, c StoreFirmwareImage) Outcome {
	if err := checkKind(c.Kind); err != nil {
		return Outcome{Err: err}
	}
	if err := CheckVersion(c.Version); err != nil {
		return Outcome{Err: err}
	}
	if len(c.SHA256) != 64 || c.Size < 0 {
		return refuse(BadRequest, "镜像摘要错误 bad sha256 or size")
	}
	result := func(*State) any {
		return &ImageResult{Kind: c.Kind, Version: c.Version, SHA256: c.SHA256, Size: c.Size}
	}
	if im := s.Firmware.Images[ImageKey(c.Kind, c.Version)]; im != nil {
		if im.SHA256 == c.SHA256 {
			return Outcome{Result: result} // the same image again changes nothing
		}
		return refuse(InvalidState, "该版本镜像已存在且内容不同 image %s %s exists with another sha256; use a new version", c.Kind, c.Version)
	}
	return Outcome{Events: []Event{{Kind: EvFirmwareImageStored, At: now, DeviceKind: c.Kind, Version: c.Version, SHA256: c.SHA256, Size: c.Size}},
		Result: result}
}

// ImageResult is a stored image as the API answers it.
type ImageResult struct {
	Kind    string `json:"kind"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
}

func decideStartRollout(s *State, now time.Time, c StartRollout) Outcome {
	if err := checkKind(c.Kind); err != nil {
		return Outcome{Err: err}
	}
	if err := CheckVersion(c.Version); err != nil {
		return Outcome{Err: err}
	}
	if math.IsNaN(c.CanaryPercent) || c.CanaryPercent < 0 || c.CanaryPercent > 100 {
		return refuse(BadRequest, "canary_percent 应为0-100 canary_percent must be 0-100")
	}
	if c.SoakS < 0 || c.SoakS > maxSoakS {
		return refuse(BadRequest, "soak_s 应为0-%d soak_s must be 0-%d", maxSoakS, maxSoakS)
	}
	if c.MaxFailures < 0 || c.DeviceTimeoutS < 0 {
		return refuse(BadRequest, "max_failures 不能为负 max_failures must not be negative")
	}
	im := s.Firmware.Images[ImageKey(c.Kind, c.Version)]
	if im == nil {
		return refuse(BadRequest, "未上传该版本镜像 no image of %s %s; upload it first", c.Kind, c.Version)
	}
	if r := s.Firmware.Active[c.Kind]; r != nil {
		return refuse(InvalidState, "该类设备已有升级在进行 rollout %s of %s is still %s", r.ID, c.Kind, r.State)
	}
	// CONTRACT §6: canaries are ceil(percent) of the kind's devices, at least
	// one; online devices are chosen first, then config order.
	var online, offline []string
	for _, id := range s.Spec.DeviceOrder {
		if s.Spec.Devices[id].Kind != c.Kind {
			continue
		}
		if p := s.Devices[id]; p != nil && p.Online {
			online = append(online, id)
		} else {
			offline = append(offline, id)
		}
	}
	ids := append(online, offline...)
	if len(ids) == 0 {
		return refuse(BadRequest, "没有该类设备 no %s devices are configured", c.Kind)
	}
	n := int(math.Ceil(c.CanaryPercent * float64(len(ids)) / 100))
	n = min(max(n, 1), len(ids))
	id := fmt.Sprintf("%s%d", rolloutIDPrefix, len(s.Firmware.Rollouts)+1)
	params := RolloutParams{CanaryPercent: c.CanaryPercent, SoakS: c.SoakS, MaxFailures: c.MaxFailures,
		DeviceTimeoutS: c.DeviceTimeoutS, CanaryCount: n, TotalDevices: len(ids), StartedBy: c.By}
	evs := []Event{{Kind: EvRolloutStarted, At: now, Rollout: id, DeviceKind: c.Kind, Version: c.Version,
		SHA256: im.SHA256, Size: im.Size, Params: &params, Devices: ids}}
	for _, dev := range ids[:n] {
		evs = append(evs, offerEvents(s, now, id, dev, im)...)
	}
	return Outcome{Events: evs, Result: rolloutNow(id)}
}

// offerEvents offers im to device dev; a device already running it online
// counts as updated at once.
func offerEvents(s *State, now time.Time, rollout, dev string, im *FirmwareImage) []Event {
	var prev string
	p := s.Devices[dev]
	if p != nil {
		prev = p.FW
	}
	evs := []Event{{Kind: EvFirmwareOffered, At: now, Device: dev, Rollout: rollout, Version: im.Version,
		SHA256: im.SHA256, Size: im.Size, PrevFW: prev}}
	if p != nil && p.Online && p.FW == im.Version {
		evs = append(evs, Event{Kind: EvFirmwareUpdated, At: now, Device: dev, Rollout: rollout, Version: im.Version})
	}
	return evs
}

func decideHalt(s *State, now time.Time, c HaltRollout) Outcome {
	r := s.Firmware.RolloutByID(c.ID)
	if r == nil {
		return refuse(BadRequest, "没有此升级 unknown rollout %q", c.ID)
	}
	if !r.Active() {
		return refuse(InvalidState, "升级已结束 rollout %s is %s", r.ID, r.State)
	}
	return Outcome{Events: []Event{{Kind: EvRolloutState, At: now, Rollout: r.ID, RolloutState: RolloutHalted, Reason: "halted_by_admin", StaffID: c.By}},
		Result: rolloutNow(r.ID)}
}

func decideRollback(s *State, now time.Time, c RollbackRollout) Outcome {
	r := s.Firmware.RolloutByID(c.ID)
	if r == nil {
		return refuse(BadRequest, "没有此升级 unknown rollout %q", c.ID)
	}
	if r.State == RolloutRolledBack {
		return refuse(InvalidState, "升级已回滚 rollout %s is already rolled back", r.ID)
	}
	if a := s.Firmware.Active[r.Kind]; a != nil && a != r {
		return refuse(InvalidState, "该类设备另有升级在进行 rollout %s of %s is still %s", a.ID, r.Kind, a.State)
	}
	var evs []Event
	var missing []string
	for _, d := range r.Devices {
		if !d.Touched {
			continue
		}
		if d.PrevFW == "" { // it reported no fw before: nothing to go back to, so no firmware is offered
			evs = append(evs, Event{Kind: EvFirmwareOffered, At: now, Device: d.ID, Rollout: r.ID})
			continue
		}
		im := s.Firmware.Images[ImageKey(r.Kind, d.PrevFW)]
		if im == nil {
			missing = append(missing, d.PrevFW)
			continue
		}
		evs = append(evs, Event{Kind: EvFirmwareOffered, At: now, Device: d.ID, Rollout: r.ID, Version: im.Version, SHA256: im.SHA256, Size: im.Size})
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return refuse(InvalidState, "缺少旧版本镜像，无法回滚 no image of %s %v to roll back to; upload it first", r.Kind, compact(missing))
	}
	evs = append(evs, Event{Kind: EvRolloutState, At: now, Rollout: r.ID, RolloutState: RolloutRolledBack, StaffID: c.By})
	return Outcome{Events: evs, Result: rolloutNow(r.ID)}
}

func compact(sorted []string) []string {
	out := sorted[:0]
	for i, v := range sorted {
		if i == 0 || v != sorted[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// firmwareProgress is what a device's status means to the active rollout of
// its kind: updated once it reports the version while online, failed when
// it reports fw_state failed, and the rollout halts past max_failures.
func firmwareProgress(s *State, now time.Time, c ReportPresence) []Event {
	sp := s.Spec.Devices[c.Device]
	r := s.Firmware.Active[sp.Kind]
	if r == nil {
		return nil
	}
	d := r.Device(c.Device)
	if d == nil || d.Target != r.Version || d.Updated || d.Failed {
		return nil
	}
	switch {
	case c.Online && c.FW == r.Version:
		return []Event{{Kind: EvFirmwareUpdated, At: now, Device: c.Device, Rollout: r.ID, Version: r.Version}}
	case c.FWState == FWFailed && newFailure(s.Devices[c.Device], c):
		evs := []Event{{Kind: EvFirmwareFailed, At: now, Device: c.Device, Rollout: r.ID, Version: r.Version, FWError: c.FWError, Reason: "reported"}}
		if r.Failures+1 > r.Params.MaxFailures {
			evs = append(evs, haltEvent(r, now))
		}
		return evs
	}
	return nil
}

// newFailure tells a failure from a status that only repeats an earlier
// one (a reconnect republishes the retained status): the device was not
// failed before, or reports another fw_error.
func newFailure(prev *DevicePresence, c ReportPresence) bool {
	return prev == nil || prev.FWState != FWFailed || prev.FWError != c.FWError
}

func haltEvent(r *Rollout, now time.Time) Event {
	return Event{Kind: EvRolloutState, At: now, Rollout: r.ID, RolloutState: RolloutHalted, Reason: "max_failures"}
}

// FirmwareTick returns the events the clock causes in active rollouts: a
// device offered the version that has not reported it within its timeout
// of being online since the offer fails; after the soak the rest are
// offered the version; a rollout whose devices all run it, failed, or have
// been offline for the whole timeout since their offer is done. The hall writer calls it every
// second, like Rollover; it returns nil when nothing is due.
func FirmwareTick(s *State, now time.Time) []Event {
	if s.Firmware == nil || len(s.Firmware.Active) == 0 {
		return nil
	}
	var evs []Event
	for _, kind := range sortedKeys(s.Firmware.Active) {
		evs = append(evs, tickRollout(s, s.Firmware.Active[kind], now)...)
	}
	return evs
}

func tickRollout(s *State, r *Rollout, now time.Time) []Event {
	var evs []Event
	failures := r.Failures
	t := time.Duration(r.Params.DeviceTimeoutS) * time.Second
	if t > 0 {
		for _, d := range r.Devices {
			if d.Target == r.Version && !d.Updated && !d.Failed && !d.SeenAt.IsZero() && now.Sub(d.SeenAt) >= t {
				evs = append(evs, Event{Kind: EvFirmwareFailed, At: now, Device: d.ID, Rollout: r.ID, Version: r.Version, Reason: "timeout",
					FWError: fmt.Sprintf("超时 not on %s %ds after it was online with the offer", r.Version, r.Params.DeviceTimeoutS)})
				if failures++; failures > r.Params.MaxFailures {
					return append(evs, haltEvent(r, now))
				}
			}
		}
	}
	// A device offline for the whole timeout since it was offered does not
	// hold the rollout up (and is not failed): it takes the retained version
	// when it comes back. Without a timeout the rollout waits for it.
	settled := func(d *RolloutDevice, timedOut bool) bool {
		return d.Updated || d.Failed || timedOut || (d.SeenAt.IsZero() && t > 0 && now.Sub(d.OfferedAt) >= t)
	}
	timedOut := map[string]bool{}
	for _, e := range evs {
		timedOut[e.Device] = true
	}
	switch r.State {
	case RolloutCanary:
		var last time.Time
		for _, d := range r.Devices {
			if !d.Canary {
				continue
			}
			if !d.Updated || d.Target != r.Version {
				return evs // CONTRACT §6: every canary must run the version
			}
			if d.UpdatedAt.After(last) {
				last = d.UpdatedAt
			}
		}
		if now.Sub(last) < time.Duration(r.Params.SoakS)*time.Second {
			return evs
		}
		im := s.Firmware.Images[ImageKey(r.Kind, r.Version)]
		if im == nil {
			im = &FirmwareImage{Kind: r.Kind, Version: r.Version, SHA256: r.SHA256, Size: r.Size}
		}
		evs = append(evs, Event{Kind: EvRolloutState, At: now, Rollout: r.ID, RolloutState: RolloutRolling})
		for _, d := range r.Devices {
			if !d.Canary {
				evs = append(evs, offerEvents(s, now, r.ID, d.ID, im)...)
			}
		}
	case RolloutRolling:
		for _, d := range r.Devices {
			if !settled(d, timedOut[d.ID]) {
				return evs
			}
		}
		evs = append(evs, Event{Kind: EvRolloutState, At: now, Rollout: r.ID, RolloutState: RolloutDone})
	}
	return evs
}

// RolloutView is a rollout as GET …/rollouts/{id} answers it (CONTRACT §6).
type RolloutView struct {
	ID      string              `json:"id"`
	Kind    string              `json:"kind"`
	Version string              `json:"version"`
	State   string              `json:"state"`
	Devices []RolloutDeviceView `json:"devices"`
}

// RolloutDeviceView is one device of a RolloutView.
type RolloutDeviceView struct {
	ID      string  `json:"id"`
	Target  *string `json:"target"`
	FW      *string `json:"fw"`
	FWState *string `json:"fw_state"`
}

// ViewRollout describes rollout r of s as the contract pins it.
func ViewRollout(s *State, r *Rollout) RolloutView {
	v := RolloutView{ID: r.ID, Kind: r.Kind, Version: r.Version, State: r.State, Devices: make([]RolloutDeviceView, 0, len(r.Devices))}
	for _, d := range r.Devices {
		dv := RolloutDeviceView{ID: d.ID, Target: strp(d.Target)}
		if p := s.Devices[d.ID]; p != nil {
			dv.FW, dv.FWState = strp(p.FW), strp(p.FWState)
		}
		v.Devices = append(v.Devices, dv)
	}
	return v
}

// rolloutNow describes a rollout as it is in s after the events.
func rolloutNow(id string) func(s *State) any {
	return func(s *State) any {
		if r := s.Firmware.RolloutByID(id); r != nil {
			v := ViewRollout(s, r)
			return &v
		}
		return nil
	}
}
