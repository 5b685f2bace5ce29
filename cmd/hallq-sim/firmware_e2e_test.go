package main

// Firmware rollouts (CONTRACT §6) end to end: a real hallqd child process
// with the large hall's 118 callers simulated over MQTT, each taking the
// firmware it is offered with its bearer token.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// fwHall is a hallqd child running examples/large-hall.yaml with an admin.
type fwHall struct {
	t       *testing.T
	bin     string
	cfgPath string
	cfg     *config.Config
	base    string // http://host:port
	broker  string // what devices connect to
	cmd     *exec.Cmd
	exited  chan error
	log     *lockedBuffer
	admin   *http.Client
	csrf    string
}

const fwAdminPW = "pw-admin-测试"

// newFWHall writes the large hall's config with fresh ports, a temp journal
// and an admin; with external, it generates the Mosquitto password and ACL
// files with `hallqd acl` and runs hallqd against that Mosquitto.
func newFWHall(t *testing.T, external bool) *fwHall {
	t.Helper()
	if testing.Short() {
		t.Skip("starts hallqd and 118 simulated devices")
	}
	h := &fwHall{t: t, bin: buildHallqd(t)}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "large-hall.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	httpAddr, mqttAddr := freeAddr(t), freeAddr(t)
	doc["listen"] = map[string]any{"http": httpAddr, "mqtt": mqttAddr}
	doc["storage"] = map[string]any{"dir": filepath.Join(dir, "data")}
	doc["staff"] = []any{map[string]any{"id": "admin", "name": "管理员", "role": "admin", "password": fwAdminPW},
		map[string]any{"id": "s01", "name": "张敏", "role": "staff", "password": "pw-s01"}}
	doc["firmware"] = map[string]any{"device_timeout_s": 300}
	h.cfgPath = filepath.Join(dir, "hall.yaml")
	write := func() {
		b, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.cfgPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write()
	h.broker = "tcp://" + mqttAddr
	if external {
		doc["broker"] = map[string]any{"url": "", "username": "hallqd", "password": "pw-hallqd"}
		write()
		aclDir := filepath.Join(dir, "acl")
		if out, err := exec.Command(h.bin, "acl", "--config", h.cfgPath, "--out", aclDir).CombinedOutput(); err != nil {
			t.Fatalf("hallqd acl: %v\n%s", err, out)
		}
		acl, err := os.ReadFile(filepath.Join(aclDir, "acl_file"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(acl), "topic read hallq/v1/nt-main/dev/caller-7/firmware") {
			t.Fatalf("the generated ACL lets caller-7 read no firmware topic:\n%s", acl)
		}
		m := testenv.StartMosquitto(t, fmt.Sprintf("allow_anonymous false\npassword_file %s\nacl_file %s\n",
			filepath.Join(aclDir, "password_file"), filepath.Join(aclDir, "acl_file")))
		doc["broker"] = map[string]any{"url": m.URL, "username": "hallqd", "password": "pw-hallqd"}
		write()
		h.broker = m.URL
	}
	if h.cfg, err = config.Load(h.cfgPath); err != nil {
		t.Fatal(err)
	}
	h.base = "http://" + httpAddr
	h.start()
	t.Cleanup(h.stop)
	return h
}

// start runs hallqd and waits for /readyz, then logs the admin in.
func (h *fwHall) start() {
	t := h.t
	t.Helper()
	h.log = &lockedBuffer{}
	h.cmd = exec.Command(h.bin, "--config", h.cfgPath, "--log-json")
	h.cmd.Stdout, h.cmd.Stderr = h.log, h.log
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.exited = make(chan error, 1)
	go func(cmd *exec.Cmd, ch chan error) { ch <- cmd.Wait() }(h.cmd, h.exited)
	h.until("hallqd ready", 30*time.Second, func() bool {
		res, err := http.Get(h.base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	jar, _ := cookiejar.New(nil)
	h.admin = &http.Client{Jar: jar, Timeout: 30 * time.Second}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	h.must("POST", "/api/v1/login", "", fmt.Sprintf(`{"username":"admin","password":%q}`, fwAdminPW), &login)
	h.csrf = login.CSRF
}

func (h *fwHall) stop() {
	if h.cmd == nil {
		return
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(15 * time.Second):
		h.cmd.Process.Kill()
		<-h.exited
		h.t.Errorf("hallqd did not stop within 15 s of SIGTERM")
	}
	h.cmd = nil
}

// kill9 kills hallqd with SIGKILL (no flush, no goodbye).
func (h *fwHall) kill9() {
	h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.exited
	h.cmd = nil
}

// until polls cond until it holds or the deadline passes.
func (h *fwHall) until(what string, d time.Duration, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not within %v\n%s", what, d, tail(h.log.String(), 4000))
		}
		select {
		case err := <-h.exited:
			h.t.Fatalf("%s: hallqd exited: %v\n%s", what, err, tail(h.log.String(), 4000))
		case <-time.After(50 * time.Millisecond): // polling another process
		}
	}
}

// untilExplained is until, but a timeout also reports explain(): what the
// hall's record shows at that moment.
func (h *fwHall) untilExplained(what string, d time.Duration, explain func() string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not within %v\n%s\nhallqd log tail:\n%s", what, d, explain(), tail(h.log.String(), 4000))
		}
		select {
		case err := <-h.exited:
			h.t.Fatalf("%s: hallqd exited: %v\n%s", what, err, tail(h.log.String(), 4000))
		case <-time.After(50 * time.Millisecond): // polling another process
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// call sends an admin request and returns the HTTP status and envelope.
func (h *fwHall) call(method, path, contentType, body string) (int, json.RawMessage, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if method != "GET" && h.csrf != "" {
		req.Header.Set("X-CSRF-Token", h.csrf)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := h.admin.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var env struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
		Error  *struct{ Code string }
	}
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &env); err != nil {
		h.t.Fatalf("%s %s: HTTP %d %s", method, path, res.StatusCode, raw)
	}
	code := ""
	if env.Error != nil {
		code = env.Error.Code
	}
	return res.StatusCode, env.Result, code
}

func (h *fwHall) must(method, path, contentType, body string, out any) {
	h.t.Helper()
	status, res, code := h.call(method, path, contentType, body)
	if status != http.StatusOK {
		h.t.Fatalf("%s %s: HTTP %d %s", method, path, status, code)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			h.t.Fatal(err)
		}
	}
}

const fwHallPath = "/api/v1/halls/nt-main"

// upload stores a random image of kind and version and returns its sha256.
func (h *fwHall) upload(kind, version string, size int) string {
	img := make([]byte, size)
	rand.Read(img)
	var res struct {
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	}
	h.must("PUT", fwHallPath+"/firmware/images/"+kind+"/"+version, "application/octet-stream", string(img), &res)
	if res.Size != int64(size) || len(res.SHA256) != 64 {
		h.t.Fatalf("upload answered %+v", res)
	}
	return res.SHA256
}

// rolloutDoc is GET …/rollouts/{id} (CONTRACT §6).
type rolloutDoc struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Version string `json:"version"`
	State   string `json:"state"`
	Devices []struct {
		ID      string  `json:"id"`
		Target  *string `json:"target"`
		FW      *string `json:"fw"`
		FWState *string `json:"fw_state"`
	} `json:"devices"`
}

func (r rolloutDoc) count(pred func(target, fw string) bool) int {
	n := 0
	for _, d := range r.Devices {
		var target, fw string
		if d.Target != nil {
			target = *d.Target
		}
		if d.FW != nil {
			fw = *d.FW
		}
		if pred(target, fw) {
			n++
		}
	}
	return n
}

// explain lists the rollout's state and each device's target/fw/fw_state,
// grouped, so a stuck rollout shows where its devices are.
func (r rolloutDoc) explain() string {
	str := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	groups := map[string][]string{}
	var order []string
	for _, d := range r.Devices {
		k := fmt.Sprintf("target=%s fw=%s fw_state=%s", str(d.Target), str(d.FW), str(d.FWState))
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], d.ID)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rollout %s (%s %s) state %s, %d devices:\n", r.ID, r.Kind, r.Version, r.State, len(r.Devices))
	for _, k := range order {
		fmt.Fprintf(&b, "  %3d × %s: %s\n", len(groups[k]), k, strings.Join(groups[k], " "))
	}
	return b.String()
}

func (h *fwHall) rollout(id string) rolloutDoc {
	h.t.Helper()
	var r rolloutDoc
	h.must("GET", fwHallPath+"/firmware/rollouts/"+id, "", "", &r)
	return r
}

// callers connects the hall's callers as simulated devices that take
// firmware; fail picks the ones whose installs fail.
func (h *fwHall) callers(fail func(id string) bool) map[string]*Device {
	h.t.Helper()
	var devs []config.Device
	for _, d := range h.cfg.Devices {
		if d.Kind == "caller" {
			devs = append(devs, d)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rid := runID(time.Now())
	out, err := dialAll(ctx, devs, func(config.Device) deviceOptions {
		return deviceOptions{Broker: h.broker, RunID: rid, AutoReconnect: true,
			Firmware: &FirmwareOptions{Fail: fail}}
	}, newTopics(h.cfg.Hall.ID))
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { closeAll(out) })
	// Every caller is online with fw 1.0.0 in the hall's record.
	h.until("118 callers online", time.Minute, func() bool {
		var fleet struct {
			Devices []struct {
				Kind   string  `json:"kind"`
				Online bool    `json:"online"`
				FW     *string `json:"fw"`
			} `json:"devices"`
		}
		h.must("GET", fwHallPath+"/firmware/devices", "", "", &fleet)
		n := 0
		for _, d := range fleet.Devices {
			if d.Kind == "caller" && d.Online && d.FW != nil && *d.FW == "1.0.0" {
				n++
			}
		}
		return n == len(devs)
	})
	return out
}

func (h *fwHall) start118(version string, soak, maxFailures int) rolloutDoc {
	h.t.Helper()
	var r rolloutDoc
	h.must("POST", fwHallPath+"/firmware/rollouts", "application/json",
		fmt.Sprintf(`{"kind":"caller","version":%q,"canary_percent":10,"soak_s":%d,"max_failures":%d}`, version, soak, maxFailures), &r)
	return r
}

// canaries118 is ceil(10% of 118) (CONTRACT §6).
var canaries118 = int(math.Ceil(0.10 * 118))

func runFullRollout(t *testing.T, external bool) {
	h := newFWHall(t, external)
	h.upload("caller", "1.0.0", 32<<10)
	h.upload("caller", "1.1.0", 48<<10)
	devs := h.callers(func(string) bool { return false })
	r := h.start118("1.1.0", 1, 0)
	if got, want := r.State, "canary"; got != want {
		t.Fatalf("state = %s, want %s", got, want)
	}
	if got := len(r.Devices); got != 118 {
		t.Fatalf("rollout lists %d devices, want the 118 callers", got)
	}
	if got := r.count(func(target, _ string) bool { return target == "1.1.0" }); got != canaries118 {
		t.Fatalf("%d devices targeted in the canary stage, want %d", got, canaries118)
	}
	status, _, code := h.call("POST", fwHallPath+"/firmware/rollouts", "application/json", `{"kind":"caller","version":"1.0.0"}`)
	if status != http.StatusConflict || code != "invalid_state" {
		t.Errorf("a second rollout of callers: HTTP %d %s, want 409 invalid_state", status, code)
	}
	sawRolling := false
	h.untilExplained("rollout done", 3*time.Minute, func() string { return h.rollout(r.ID).explain() }, func() bool {
		r = h.rollout(r.ID)
		targeted := r.count(func(target, _ string) bool { return target == "1.1.0" })
		switch r.State {
		case "canary":
			if targeted != canaries118 {
				t.Fatalf("canary stage with %d devices targeted, want %d", targeted, canaries118)
			}
		case "rolling":
			sawRolling = true
		case "done":
		default:
			t.Fatalf("state %s during a clean rollout", r.State)
		}
		return r.State == "done"
	})
	if got := r.count(func(target, fw string) bool { return target == "1.1.0" && fw == "1.1.0" }); got != 118 {
		t.Errorf("done with %d callers on 1.1.0, want 118", got)
	}
	for id, d := range devs {
		if v, st := d.Firmware(); v != "1.1.0" || st != "idle" {
			t.Errorf("%s runs %s (%s), want 1.1.0 idle", id, v, st)
		}
	}
	t.Logf("rollout %s done; rolling stage seen by polling: %v", r.ID, sawRolling)
}

// TestRolloutLargeHall rolls a version out to the 118 callers over the
// embedded broker: canary, soak, rest, done (CONTRACT §6).
func TestRolloutLargeHall(t *testing.T) { runFullRollout(t, false) }

// TestRolloutLargeHallMosquitto does the same through a real Mosquitto
// with the password and ACL files `hallqd acl` generates.
func TestRolloutLargeHallMosquitto(t *testing.T) { runFullRollout(t, true) }

// TestRolloutHaltsAndRollsBack: two canaries fail with max_failures 1, so
// the rollout halts and no other caller is offered the version; rollback
// brings every touched caller back to the fw it ran before.
func TestRolloutHaltsAndRollsBack(t *testing.T) {
	h := newFWHall(t, false)
	h.upload("caller", "1.0.0", 16<<10)
	h.upload("caller", "2.0.0", 16<<10)
	failing := map[string]bool{"caller-3": true, "caller-5": true}
	devs := h.callers(func(id string) bool { return failing[id] })
	r := h.start118("2.0.0", 1, 1)
	canary := map[string]bool{}
	for _, d := range r.Devices {
		if d.Target != nil {
			canary[d.ID] = true
		}
	}
	if !canary["caller-3"] || !canary["caller-5"] {
		t.Fatalf("caller-3 and caller-5 are online and first in config order, so canaries; canaries: %v", canary)
	}
	h.until("rollout halted", 2*time.Minute, func() bool {
		r = h.rollout(r.ID)
		return r.State == "halted"
	})
	h.until("the healthy canaries on 2.0.0", 2*time.Minute, func() bool {
		r = h.rollout(r.ID)
		return r.count(func(_, fw string) bool { return fw == "2.0.0" }) == len(canary)-2
	})
	if got := r.count(func(target, _ string) bool { return target == "2.0.0" }); got != len(canary) {
		t.Fatalf("halted with %d devices targeted, want only the %d canaries", got, len(canary))
	}
	for _, d := range r.Devices {
		if d.FWState != nil && *d.FWState == "failed" && !failing[d.ID] {
			t.Errorf("%s reports failed", d.ID)
		}
	}
	var back rolloutDoc
	h.must("POST", fwHallPath+"/firmware/rollouts/"+r.ID+"/rollback", "application/json", "", &back)
	if back.State != "rolled_back" {
		t.Fatalf("rollback answered state %s", back.State)
	}
	h.until("touched callers back on 1.0.0", 2*time.Minute, func() bool {
		r = h.rollout(r.ID)
		return r.count(func(_, fw string) bool { return fw == "1.0.0" }) == 118
	})
	for _, d := range r.Devices {
		switch {
		case canary[d.ID] && (d.Target == nil || *d.Target != "1.0.0"):
			t.Errorf("canary %s target %v after rollback, want 1.0.0", d.ID, d.Target)
		case !canary[d.ID] && d.Target != nil:
			t.Errorf("%s was never touched but has target %s", d.ID, *d.Target)
		}
	}
	for id, d := range devs {
		if v, _ := d.Firmware(); v != "1.0.0" {
			t.Errorf("%s runs %s after rollback", id, v)
		}
	}
	status, _, code := h.call("POST", fwHallPath+"/firmware/rollouts/"+r.ID+"/halt", "application/json", "")
	if status != http.StatusConflict || code != "invalid_state" {
		t.Errorf("halting a rolled-back rollout: HTTP %d %s, want 409 invalid_state", status, code)
	}
}

// TestRolloutResumesAfterKill9 kills hallqd with SIGKILL while the canaries
// soak; the restarted hallqd carries on from the journal to done.
func TestRolloutResumesAfterKill9(t *testing.T) {
	h := newFWHall(t, false)
	h.upload("caller", "1.0.0", 16<<10)
	h.upload("caller", "1.2.0", 16<<10)
	h.callers(func(string) bool { return false })
	r := h.start118("1.2.0", 5, 0)
	h.until("canaries on 1.2.0", 2*time.Minute, func() bool {
		r = h.rollout(r.ID)
		return r.count(func(target, fw string) bool { return target == "1.2.0" && fw == "1.2.0" }) == canaries118
	})
	if r.State != "canary" {
		t.Fatalf("state %s when the canaries were all seen updated, want canary (soaking 5 s)", r.State)
	}
	h.kill9() // mid-soak
	h.start()
	after := h.rollout(r.ID)
	if after.State != "canary" && after.State != "rolling" && after.State != "done" {
		t.Fatalf("after kill -9 the rollout is %s", after.State)
	}
	if after.ID != r.ID || after.Version != "1.2.0" {
		t.Fatalf("after kill -9: %+v", after)
	}
	if got := after.count(func(target, _ string) bool { return target == "1.2.0" }); got < canaries118 {
		t.Fatalf("after kill -9 only %d devices are targeted; the canary stage was lost", got)
	}
	var list struct {
		Rollouts []json.RawMessage `json:"rollouts"`
	}
	h.must("GET", fwHallPath+"/firmware/rollouts", "", "", &list)
	if len(list.Rollouts) != 1 {
		t.Fatalf("%d rollouts after the restart, want the one", len(list.Rollouts))
	}
	h.until("rollout done after the restart", 3*time.Minute, func() bool {
		r = h.rollout(r.ID)
		return r.State == "done"
	})
	if got := r.count(func(_, fw string) bool { return fw == "1.2.0" }); got != 118 {
		t.Errorf("done with %d callers on 1.2.0", got)
	}
}
