package queue

import "time"

// Rollout states (CONTRACT §6), like raft's StateType each with one meaning:
//   - canary: the canary devices have been offered the version; the rest wait
//     until every canary runs it online and soak_s has passed since the last.
//   - rolling: every device of the kind has been offered the version.
//   - done: every device runs the version or has failed (at most max_failures).
//   - halted: more than max_failures devices failed, or an admin halted it;
//     no further device is offered the version.
//   - rolled_back: each touched device was offered the fw it ran before.
const (
	RolloutCanary     = "canary"
	RolloutRolling    = "rolling"
	RolloutDone       = "done"
	RolloutHalted     = "halted"
	RolloutRolledBack = "rolled_back"
)

// Firmware states a device reports in its status (CONTRACT §6).
const (
	FWIdle        = "idle"
	FWDownloading = "downloading"
	FWInstalling  = "installing"
	FWFailed      = "failed"
)

// ValidFWState reports whether s is a firmware state of the contract.
func ValidFWState(s string) bool {
	return s == FWIdle || s == FWDownloading || s == FWInstalling || s == FWFailed
}

// RolloutParams are what an admin chose when starting a rollout.
type RolloutParams struct {
	CanaryPercent  float64 `json:"canary_percent"`
	SoakS          int     `json:"soak_s"`
	MaxFailures    int     `json:"max_failures"`
	DeviceTimeoutS int     `json:"device_timeout_s"` // firmware.device_timeout_s when it started
	CanaryCount    int     `json:"canary_count"`
	TotalDevices   int     `json:"total_devices"`
	StartedBy      string  `json:"started_by,omitempty"`
}

// FirmwareImage is an uploaded image of a device kind.
type FirmwareImage struct {
	Kind    string    `json:"kind"`
	Version string    `json:"version"`
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	At      time.Time `json:"at"`
}

// FirmwareOffer is what dev/{id}/firmware holds for one device.
type FirmwareOffer struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	Kind    string `json:"kind"`
	Rollout string `json:"rollout"`
}

// RolloutDevice is one device's progress in a rollout, as raft's Progress
// tracks a follower: what it was offered against what it reported.
type RolloutDevice struct {
	ID        string    `json:"id"`
	Canary    bool      `json:"canary,omitempty"`
	Target    string    `json:"target,omitempty"`  // the version this rollout offers it now; "" = not offered
	Touched   bool      `json:"touched,omitempty"` // offered the rollout's version at least once
	PrevFW    string    `json:"prev_fw,omitempty"` // the fw it reported before it was first offered
	OfferedAt time.Time `json:"offered_at,omitempty"`
	// SeenAt is when it was first online since it was offered the version
	// (zero: not yet); its timeout counts from then.
	SeenAt    time.Time `json:"seen_at,omitempty"`
	Updated   bool      `json:"updated,omitempty"` // reported fw = version while online
	UpdatedAt time.Time `json:"updated_at,omitempty"`
	Failed    bool      `json:"failed,omitempty"`
	Error     string    `json:"error,omitempty"`
}

// Rollout is one staged firmware rollout.
type Rollout struct {
	ID       string           `json:"id"`
	Kind     string           `json:"kind"`
	Version  string           `json:"version"`
	SHA256   string           `json:"sha256"`
	Size     int64            `json:"size"`
	Params   RolloutParams    `json:"params"`
	State    string           `json:"state"`
	Reason   string           `json:"reason,omitempty"` // why it halted
	Started  time.Time        `json:"started"`
	Changed  time.Time        `json:"changed"` // when State last changed
	Devices  []*RolloutDevice `json:"devices"` // the kind's devices, canaries first
	Failures int              `json:"failures"`

	byID map[string]*RolloutDevice
}

// Active reports whether the rollout may still offer its version.
func (r *Rollout) Active() bool { return r.State == RolloutCanary || r.State == RolloutRolling }

// Device returns the rollout's progress of device id, or nil.
func (r *Rollout) Device(id string) *RolloutDevice {
	if r.byID == nil {
		r.byID = make(map[string]*RolloutDevice, len(r.Devices))
		for _, d := range r.Devices {
			r.byID[d.ID] = d
		}
	}
	return r.byID[id]
}

// FirmwareState is the hall's images, rollouts and the firmware offered to
// each device.
type FirmwareState struct {
	Images   map[string]*FirmwareImage `json:"images"` // kind/version
	Rollouts []*Rollout                `json:"rollouts"`
	// Offers is what each device's retained dev/{id}/firmware holds. Apply
	// replaces the map on every change and never changes it in place, so a
	// View may share it.
	Offers map[string]*FirmwareOffer `json:"offers"`
	// Active is the active rollout of each kind.
	Active map[string]*Rollout `json:"-"`
}

func newFirmwareState() *FirmwareState {
	f := &FirmwareState{Images: map[string]*FirmwareImage{}, Offers: map[string]*FirmwareOffer{}}
	f.fill()
	return f
}

// fill rebuilds the indexes of a decoded state.
func (f *FirmwareState) fill() {
	if f.Images == nil {
		f.Images = map[string]*FirmwareImage{}
	}
	if f.Offers == nil {
		f.Offers = map[string]*FirmwareOffer{}
	}
	f.Active = map[string]*Rollout{}
	for _, r := range f.Rollouts {
		r.byID = nil
		if r.Active() {
			f.Active[r.Kind] = r
		}
	}
}

// ImageKey names an image of a kind and version.
func ImageKey(kind, version string) string { return kind + "/" + version }

// RolloutByID finds a rollout.
func (f *FirmwareState) RolloutByID(id string) *Rollout {
	for _, r := range f.Rollouts {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (f *FirmwareState) clone() *FirmwareState {
	c := &FirmwareState{Images: make(map[string]*FirmwareImage, len(f.Images)), Offers: f.Offers}
	for k, im := range f.Images {
		ic := *im
		c.Images[k] = &ic
	}
	for _, r := range f.Rollouts {
		rc := *r
		rc.byID = nil
		rc.Devices = make([]*RolloutDevice, len(r.Devices))
		for i, d := range r.Devices {
			dc := *d
			rc.Devices[i] = &dc
		}
		c.Rollouts = append(c.Rollouts, &rc)
	}
	c.fill()
	return c
}

// setOffer changes one device's offer, copying the map (see Offers).
func (f *FirmwareState) setOffer(device string, o *FirmwareOffer) {
	m := make(map[string]*FirmwareOffer, len(f.Offers)+1)
	for k, v := range f.Offers {
		m[k] = v
	}
	if o == nil {
		delete(m, device)
	} else {
		m[device] = o
	}
	f.Offers = m
}

// seen records that device dev is online at t in the active rollout of its kind.
func (f *FirmwareState) seen(sp *Spec, dev string, t time.Time) {
	d := sp.Devices[dev]
	if d == nil {
		return
	}
	if r := f.Active[d.Kind]; r != nil {
		if rd := r.Device(dev); rd != nil && rd.Target == r.Version && rd.SeenAt.IsZero() {
			rd.SeenAt = t
		}
	}
}

// apply changes the firmware state by one firmware event; presence is the
// devices' presence before it.
func (f *FirmwareState) apply(e *Event, presence map[string]*DevicePresence) {
	switch e.Kind {
	case EvFirmwareImageStored:
		f.Images[ImageKey(e.DeviceKind, e.Version)] = &FirmwareImage{Kind: e.DeviceKind, Version: e.Version, SHA256: e.SHA256, Size: e.Size, At: e.At}
	case EvRolloutStarted:
		r := &Rollout{ID: e.Rollout, Kind: e.DeviceKind, Version: e.Version, SHA256: e.SHA256, Size: e.Size,
			State: RolloutCanary, Started: e.At, Changed: e.At}
		if e.Params != nil {
			r.Params = *e.Params
		}
		for i, id := range e.Devices {
			r.Devices = append(r.Devices, &RolloutDevice{ID: id, Canary: i < r.Params.CanaryCount})
		}
		f.Rollouts = append(f.Rollouts, r)
		f.Active[r.Kind] = r
	case EvFirmwareOffered:
		r := f.RolloutByID(e.Rollout)
		if r == nil {
			return
		}
		if d := r.Device(e.Device); d != nil {
			if !d.Touched {
				d.Touched, d.PrevFW = true, e.PrevFW
			}
			d.Target, d.OfferedAt, d.SeenAt = e.Version, e.At, time.Time{}
			if p := presence[e.Device]; p != nil && p.Online {
				d.SeenAt = e.At
			}
		}
		if e.Version == "" {
			f.setOffer(e.Device, nil)
		} else {
			f.setOffer(e.Device, &FirmwareOffer{Version: e.Version, SHA256: e.SHA256, Size: e.Size, Kind: r.Kind, Rollout: r.ID})
		}
	case EvFirmwareUpdated:
		if r := f.RolloutByID(e.Rollout); r != nil {
			if d := r.Device(e.Device); d != nil {
				d.Updated, d.UpdatedAt = true, e.At
			}
		}
	case EvFirmwareFailed:
		if r := f.RolloutByID(e.Rollout); r != nil {
			if d := r.Device(e.Device); d != nil && !d.Failed {
				d.Failed, d.Error = true, e.FWError
				r.Failures++
			}
		}
	case EvRolloutState:
		if r := f.RolloutByID(e.Rollout); r != nil {
			r.State, r.Changed = e.RolloutState, e.At
			if e.Reason != "" {
				r.Reason = e.Reason
			}
			if r.Active() {
				f.Active[r.Kind] = r
			} else if f.Active[r.Kind] == r {
				delete(f.Active, r.Kind)
			}
		}
	}
}
