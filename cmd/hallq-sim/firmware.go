package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"sync"
	"time"
)

// FirmwareOptions make simulated devices take the firmware hallq offers on
// dev/{id}/firmware (CONTRACT §6): download it with the device's bearer
// token, check its size and sha256, and report downloading → installing →
// the new fw, or failed.
type FirmwareOptions struct {
	HTTP    *http.Client // nil = a client with a 60 s timeout
	Initial string       // the fw each device runs at start; "" = 1.0.0
	// FailShare is the share of devices, chosen by a hash of their id, whose
	// installs fail (they report fw_state failed); Fail overrides it.
	FailShare float64
	Fail      func(id string) bool
}

// failsByShare reports whether device id is among the share that fails.
func failsByShare(id string, share float64) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return float64(h.Sum32()%10000) < share*10000
}

// fwOffer is the retained dev/{id}/firmware message.
type fwOffer struct {
	Version string `json:"version"`
	URL     string `json:"url"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	Rollout string `json:"rollout"`
}

// fwStatus is the firmware a simulated device runs and what it is doing.
type fwStatus struct {
	opts *FirmwareOptions

	mu      sync.Mutex
	version string
	state   string
	err     string
	pending []byte // the latest offer not yet handled
	busy    bool
}

func (f *fwStatus) init(o *FirmwareOptions) {
	f.opts = o
	f.version, f.state = "hallq-sim/1", "idle"
	if o != nil {
		f.version = "1.0.0"
		if o.Initial != "" {
			f.version = o.Initial
		}
	}
}

// status is the device's retained status message (CONTRACT §2, §6).
func (f *fwStatus) status(configVersion int64) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opts == nil {
		return fmt.Appendf(nil, `{"online":true,"fw":%q,"config_version":%d}`, f.version, configVersion)
	}
	body, _ := json.Marshal(map[string]any{"online": true, "fw": f.version, "config_version": configVersion,
		"fw_state": f.state, "fw_error": f.err})
	return body
}

// Firmware is the version the device runs and its fw_state.
func (d *Device) Firmware() (version, state string) {
	d.fw.mu.Lock()
	defer d.fw.mu.Unlock()
	return d.fw.version, d.fw.state
}

func (d *Device) setFW(version, state, errText string) {
	d.fw.mu.Lock()
	if version != "" {
		d.fw.version = version
	}
	d.fw.state, d.fw.err = state, errText
	d.fw.mu.Unlock()
	if err := d.publishStatus(true); err != nil && d.o.OnLost != nil {
		d.o.OnLost(d.cfg.ID, err)
	}
}

// handleFirmware takes an offer; it runs on the delivery goroutine, so the
// work is done by one worker per device, always on the latest offer.
func (d *Device) handleFirmware(payload []byte) {
	if d.o.Firmware == nil {
		return
	}
	d.fw.mu.Lock()
	d.fw.pending = append([]byte(nil), payload...)
	start := !d.fw.busy
	d.fw.busy = true
	d.fw.mu.Unlock()
	if start {
		go d.firmwareWorker()
	}
}

func (d *Device) firmwareWorker() {
	for {
		d.fw.mu.Lock()
		payload := d.fw.pending
		d.fw.pending = nil
		if payload == nil {
			d.fw.busy = false
			d.fw.mu.Unlock()
			return
		}
		current := d.fw.version
		d.fw.mu.Unlock()
		var o fwOffer
		if len(payload) == 0 || json.Unmarshal(payload, &o) != nil || o.Version == "" || o.Version == current {
			continue // none, or already running it
		}
		d.install(o)
	}
}

// install downloads, checks and "installs" offer o.
func (d *Device) install(o fwOffer) {
	d.setFW("", "downloading", "")
	data, err := d.download(o)
	switch {
	case err != nil:
		d.setFW("", "failed", err.Error())
		return
	case int64(len(data)) != o.Size:
		d.setFW("", "failed", fmt.Sprintf("size %d, want %d", len(data), o.Size))
		return
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != o.SHA256 {
		d.setFW("", "failed", "sha256 mismatch 校验失败")
		return
	}
	d.setFW("", "installing", "")
	fail := d.o.Firmware.Fail
	if fail == nil {
		fail = func(id string) bool { return failsByShare(id, d.o.Firmware.FailShare) }
	}
	if fail(d.cfg.ID) {
		d.setFW("", "failed", "simulated install failure 模拟安装失败")
		return
	}
	d.setFW(o.Version, "idle", "")
}

// download fetches the image with the device's bearer token (CONTRACT §6).
func (d *Device) download(o fwOffer) ([]byte, error) {
	client := d.o.Firmware.HTTP
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("bad url: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+d.cfg.ID+":"+d.cfg.Secret)
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP %d", res.StatusCode)
	}
	return io.ReadAll(io.LimitReader(res.Body, o.Size+1))
}
