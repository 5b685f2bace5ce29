package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestFlagsMoveTheDemo: `hallqd --http A --mqtt B --data D` runs the demo hall
// on those addresses and that directory without a config file.
func TestFlagsMoveTheDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	hp, mp := freePort(t), freePort(t)
	cmd := exec.Command(os.Args[0], "--http", fmt.Sprintf("127.0.0.1:%d", hp), "--mqtt", fmt.Sprintf("127.0.0.1:%d", mp), "--data", dir, "--log-json")
	cmd.Env = append(os.Environ(), "HALLQ_CHILD=1")
	var log bytes.Buffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", hp), log: &log}
	defer c.kill()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break // journal and broker usable: the broker is on the --mqtt port
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("hallqd with --http/--mqtt not ready: %s", log.String())
		}
		time.Sleep(10 * time.Millisecond) // polling a separate process
	}
	if resp, err := http.Get(c.base + "/api/v1/halls/demo/snapshot"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("demo hall on --http: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "journal.db")); err != nil {
		t.Errorf("journal not in --data: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait() // the log is whole, and no longer written, once the child has exited
	if !bytes.Contains(log.Bytes(), []byte(fmt.Sprintf("127.0.0.1:%d/screen/hall", hp))) {
		t.Errorf("the start-up log does not point at the --http address:\n%s", log.String())
	}
}
