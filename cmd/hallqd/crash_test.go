package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary run as a child hallqd for the crash test.
func TestMain(m *testing.M) {
	if os.Getenv("HALLQ_CHILD") == "1" {
		ctx, stop := signalContext()
		defer stop()
		os.Exit(exitCode(run(ctx, os.Args[1:])))
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

const crashConfig = `
hall: {id: crash, name: {zh: 崩溃测试, en: Crash test}}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}}
  - {id: housing, prefix: B, name: {zh: 公积金, en: Housing}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social, housing]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: k1}
staff:
  - {id: s1, name: 张敏, role: staff, password: pw-s1}
listen: {http: "127.0.0.1:%d", mqtt: "127.0.0.1:%d"}
storage: {dir: %q}
`

// child is a hallqd process started from the test binary.
type child struct {
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
}

func startChild(t *testing.T, cfgPath, base string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "--config", cfgPath, "--log-json")
	cmd.Env = append(os.Environ(), "HALLQ_CHILD=1")
	var log bytes.Buffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, base: base, log: &log}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child hallqd not ready: %s", log.String())
		}
		time.Sleep(10 * time.Millisecond) // polling a separate process
	}
}

func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.cmd.Wait()
}

type apiReply struct {
	OK     bool                   `json:"ok"`
	Result json.RawMessage        `json:"result"`
	Error  *struct{ Code string } `json:"error"`
}

func post(client *http.Client, url string, hdr map[string]string, body string) (*apiReply, error) {
	req, _ := http.NewRequest("POST", url, bytes.NewBufferString(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r apiReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

// TestCrashLosesNothingAcknowledged kills a loaded hallqd with SIGKILL at
// random moments; after each restart every acknowledged ticket and call is
// there and numbering continues without reuse.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	hp, mp := freePort(t), freePort(t)
	cfgPath := filepath.Join(dir, "hall.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(crashConfig, hp, mp, filepath.Join(dir, "data"))), 0o644)
	base := fmt.Sprintf("http://127.0.0.1:%d", hp)
	rng := rand.New(rand.NewSource(1))

	type ticket struct {
		ID     string `json:"ticket_id"`
		Number string `json:"number"`
		Status string `json:"status"`
	}
	acked := map[string]ticket{} // ticket id -> as acknowledged
	called := map[string]bool{}  // ticket ids acknowledged as called
	maxN := map[byte]int{}
	var mu sync.Mutex
	kiosk := map[string]string{"Authorization": "Bearer kiosk-01:k1"}

	for round := 0; round < 4; round++ {
		c := startChild(t, cfgPath, base)
		// Everything acknowledged before is still there.
		for id, tk := range acked {
			resp, err := http.Get(base + "/api/v1/halls/crash/tickets/" + id)
			if err != nil {
				t.Fatal(err)
			}
			var r apiReply
			json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			var got ticket
			json.Unmarshal(r.Result, &got)
			if !r.OK || got.Number != tk.Number {
				t.Fatalf("round %d: acknowledged ticket %s lost (%+v)", round, id, r.Error)
			}
			if called[id] && got.Status == "waiting" {
				t.Fatalf("round %d: acknowledged call of %s lost: it is waiting again", round, id)
			}
		}
		jar, _ := cookiejar.New(nil)
		staff := &http.Client{Jar: jar}
		login, err := post(staff, base+"/api/v1/login", nil, `{"username":"s1","password":"pw-s1"}`)
		if err != nil || !login.OK {
			t.Fatalf("login: %v %+v", err, login)
		}
		var me struct {
			CSRF string `json:"csrf_token"`
		}
		json.Unmarshal(login.Result, &me)
		staffHdr := map[string]string{"X-CSRF-Token": me.CSRF}
		post(staff, base+"/api/v1/halls/crash/counters/1/signin", staffHdr, "")
		post(staff, base+"/api/v1/halls/crash/counters/1/ops/counter.open", staffHdr, "")

		killAfter := 50 + rng.Intn(250)
		ctx, cancel := context.WithCancel(context.Background())
		var acks sync.WaitGroup
		var count int
		note := func() {
			mu.Lock()
			count++
			if count == killAfter {
				c.kill() // SIGKILL mid-load
				cancel()
			}
			mu.Unlock()
		}
		for w := 0; w < 8; w++ {
			acks.Add(1)
			go func(w int) {
				defer acks.Done()
				for i := 0; ctx.Err() == nil; i++ {
					svc := "social"
					if (w+i)%3 == 0 {
						svc = "housing"
					}
					hdr := map[string]string{"Authorization": kiosk["Authorization"], "Idempotency-Key": fmt.Sprintf("r%d-w%d-%d", round, w, i)}
					r, err := post(http.DefaultClient, base+"/api/v1/halls/crash/tickets", hdr, `{"service":"`+svc+`"}`)
					if err != nil || !r.OK {
						return // the process is gone
					}
					var tk ticket
					json.Unmarshal(r.Result, &tk)
					mu.Lock()
					acked[tk.ID] = tk
					n, _ := strconv.Atoi(tk.Number[1:])
					if n > maxN[tk.Number[0]] {
						maxN[tk.Number[0]] = n
					}
					mu.Unlock()
					note()
				}
			}(w)
		}
		acks.Add(1)
		go func() {
			defer acks.Done()
			for ctx.Err() == nil {
				r, err := post(staff, base+"/api/v1/halls/crash/counters/1/ops/call.next", staffHdr, "")
				if err != nil || r == nil {
					return
				}
				if r.OK {
					var tk ticket
					json.Unmarshal(r.Result, &tk)
					mu.Lock()
					called[tk.ID] = true
					mu.Unlock()
				}
				note()
			}
		}()
		acks.Wait()
		c.kill()
	}
	// After the last crash, numbering continues past every acknowledged number.
	c := startChild(t, cfgPath, base)
	defer c.kill()
	for _, svc := range []string{"social", "housing"} {
		r, err := post(http.DefaultClient, base+"/api/v1/halls/crash/tickets", kiosk, `{"service":"`+svc+`"}`)
		if err != nil || !r.OK {
			t.Fatalf("take after crashes: %v %+v", err, r)
		}
		var tk ticket
		json.Unmarshal(r.Result, &tk)
		n, _ := strconv.Atoi(tk.Number[1:])
		if n <= maxN[tk.Number[0]] {
			t.Fatalf("number %s reused: %c%03d was already acknowledged", tk.Number, tk.Number[0], maxN[tk.Number[0]])
		}
	}
	if len(acked) < 200 || len(called) == 0 {
		t.Fatalf("too little load to mean anything: %d tickets, %d calls acknowledged", len(acked), len(called))
	}
	t.Logf("%d tickets and %d calls acknowledged across 4 SIGKILLs; none lost", len(acked), len(called))
}

func httpClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }
