package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hallq/hallq/config"
)

// TestLoadAgainstHallqd runs a short load against a real hallqd (its
// embedded broker, its journal on a temp dir) started as a child process:
// every ticket.take is answered ok with a number never seen before, every
// answered call shows on its counter's LED state, and the baseline answers
// bad_request.
func TestLoadAgainstHallqd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hallqd")
	}
	cfg, broker := startHallqd(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	rep, err := RunLoad(ctx, LoadOptions{Config: cfg, Broker: broker, TakeRate: 25, CallRate: 6, Duration: 3 * time.Second,
		Seed: 7, BaselineRate: 5, Timeout: 10 * time.Second, Out: &out})
	if err != nil {
		t.Fatalf("RunLoad: %v\n%s", err, out.String())
	}
	rep.Print(&out)
	t.Log("\n" + out.String())

	if got := rep.Take.Offered.Load(); got == 0 {
		t.Fatal("no ticket.take was sent")
	}
	if got, want := rep.Take.OK.Load(), rep.Take.Offered.Load(); got != want {
		t.Errorf("%d of %d ticket.take answered ok; failures %v", got, want, rep.Take.Failures)
	}
	if dups := rep.Take.Duplicates(); len(dups) > 0 {
		t.Errorf("numbers issued twice (CONTRACT §2: never reused): %v", dups)
	}
	if got, want := len(rep.Take.Numbers), int(rep.Take.OK.Load()); got != want {
		t.Errorf("%d numbers for %d tickets", got, want)
	}
	if rep.CallsOK.Load() == 0 {
		t.Fatal("no call.next was answered with a ticket")
	}
	if got, want := rep.CallToLED.Summary().N, int(rep.CallsOK.Load()); got != want || rep.LEDMissed != 0 {
		t.Errorf("%d of %d called tickets seen on state/counters (%d never)", got, want, rep.LEDMissed)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("other errors: %v", rep.Errors)
	}
	if rep.BaselineRTT.Summary().N == 0 || rep.BaselineOdd.Load() != 0 {
		t.Errorf("baseline: %d bad_request round trips, %d odd answers", rep.BaselineRTT.Summary().N, rep.BaselineOdd.Load())
	}
	if rep.Strays != 0 {
		t.Errorf("%d responses matched no request", rep.Strays)
	}
}

// TestDemoAgainstHallqd runs the demo for a few seconds, fast: tickets are
// taken and called, and no request fails.
func TestDemoAgainstHallqd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hallqd")
	}
	cfg, broker := startHallqd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	var out lockedBuffer
	// While the demo runs, counter 1 stays closed and s01 free for a person.
	checked := make(chan error, 1)
	go func() { checked <- leftFree(ctx, cfg.Listen.HTTP) }()
	if err := RunDemo(ctx, DemoOptions{Config: cfg, Broker: broker, Seed: 3, Speed: 100, Every: 2 * time.Second, Out: &out,
		LeaveFree: []string{"1"}}); err != nil {
		t.Fatalf("RunDemo: %v\n%s", err, out.String())
	}
	log := out.String()
	t.Log("\n" + log)
	for _, want := range []string{"开窗 open", "取号 take", "叫号 call", "办理 serve", "汇总 summary", "关窗 close", "下线 offline"} {
		if !strings.Contains(log, want) {
			t.Errorf("the demo printed no %q line", want)
		}
	}
	if strings.Contains(log, "错误 error") {
		t.Error("a request failed in the demo (see the 错误 lines above)")
	}
	if err := <-checked; err != nil {
		t.Error(err)
	}
}

// leftFree logs in as s01 on hallqd at addr once the demo has opened other
// counters, signs in at counter 1 and opens it: the person trying the demo
// has a counter and a login of their own. It then keeps checking, until ctx
// ends, that the simulator never called at counter 1.
func leftFree(ctx context.Context, addr string) error {
	base := "http://" + addr
	type counter struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Staff  *struct {
			ID string `json:"id"`
		} `json:"staff"`
	}
	snapshot := func() ([]counter, error) {
		res, err := http.Get(base + "/api/v1/halls/demo/snapshot")
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		var snap struct {
			State struct {
				Counters []counter `json:"counters"`
			} `json:"state"`
		}
		return snap.State.Counters, json.NewDecoder(res.Body).Decode(&snap)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for opened := false; !opened; {
		select {
		case <-ctx.Done():
			return errors.New("the demo opened no counter")
		case <-tick.C:
		}
		cs, err := snapshot()
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.ID == "1" && c.Status != "closed" {
				return fmt.Errorf("the demo took counter 1: %s", c.Status)
			}
			opened = opened || c.Status != "closed"
		}
	}
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	post := func(path, body, csrf string) (map[string]any, error) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("X-CSRF-Token", csrf)
		res, err := cl.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		var r struct {
			OK     bool           `json:"ok"`
			Result map[string]any `json:"result"`
			Error  any            `json:"error"`
		}
		if err := json.NewDecoder(res.Body).Decode(&r); err != nil || !r.OK {
			return nil, fmt.Errorf("%s: %v %v", path, err, r.Error)
		}
		return r.Result, nil
	}
	login, err := post("/api/v1/login", `{"username":"s01","password":"demo-s01"}`, "")
	if err != nil {
		return fmt.Errorf("s01 logs in while the demo runs: %w", err)
	}
	csrf, _ := login["csrf_token"].(string)
	if _, err := post("/api/v1/halls/demo/counters/1/signin", `{}`, csrf); err != nil {
		return err
	}
	if _, err := post("/api/v1/halls/demo/counters/1/ops/counter.open", `{}`, csrf); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		cs, err := snapshot()
		if err != nil {
			return nil // hallqd may be stopping with the test
		}
		for _, c := range cs {
			if c.ID == "1" && (c.Status != "open" || c.Staff == nil || c.Staff.ID != "s01") {
				return fmt.Errorf("counter 1 is %s with staff %v, want open with s01 and not called by the demo", c.Status, c.Staff)
			}
		}
	}
}

// startHallqd builds hallqd once per test binary, starts it on free
// loopback ports with the demo hall and a temp journal, waits for /readyz,
// and stops it with SIGTERM when the test ends. It returns the hall config
// and the broker URL.
func startHallqd(t *testing.T) (*config.Config, string) {
	t.Helper()
	bin := buildHallqd(t)
	dir := t.TempDir()
	httpAddr, mqttAddr := freeAddr(t), freeAddr(t)
	src, err := os.ReadFile(filepath.Join("..", "..", "config", "demo.yaml"))
	if err != nil {
		t.Fatalf("read the demo config: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("parse the demo config: %v", err)
	}
	doc["listen"] = map[string]any{"http": httpAddr, "mqtt": mqttAddr}
	doc["storage"] = map[string]any{"dir": filepath.Join(dir, "data")}
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "hall.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("load the test config: %v", err)
	}

	var log lockedBuffer
	cmd := exec.Command(bin, "--config", path)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hallqd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("hallqd exited with %v after SIGTERM, want 0\n%s", err, log.String())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("hallqd did not stop within 15 s of SIGTERM\n%s", log.String())
		}
	})

	// Wait for /readyz 200: the journal and the broker are usable (CONTRACT §4).
	ready := "http://" + httpAddr + "/readyz"
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if res, err := http.Get(ready); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return cfg, "tcp://" + mqttAddr
			}
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("hallqd exited before it was ready: %v\n%s", err, log.String())
		case <-deadline.C:
			t.Fatalf("hallqd not ready within 30 s\n%s", log.String())
		case <-tick.C:
		}
	}
}

// buildHallqd builds cmd/hallqd into a temp dir (the build cache makes
// every build after the first quick).
func buildHallqd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hallqd")
	out, err := exec.Command(goTool(), "build", "-o", bin, "github.com/hallq/hallq/cmd/hallqd").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/hallqd: %v\n%s", err, out)
	}
	return bin
}

// goTool is the go command that runs these tests.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// freeAddr is a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer is a bytes.Buffer several goroutines may write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
