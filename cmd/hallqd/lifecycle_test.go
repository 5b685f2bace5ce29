package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMDrainsAndExitsZero checks CONTRACT §4: SIGTERM stops hallqd with status 0.
func TestSIGTERMDrainsAndExitsZero(t *testing.T) {
	dir := t.TempDir()
	hp, mp := freePort(t), freePort(t)
	cfgPath := filepath.Join(dir, "hall.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(crashConfig, hp, mp, filepath.Join(dir, "data"))), 0o644)
	c := startChild(t, cfgPath, fmt.Sprintf("http://127.0.0.1:%d", hp))
	r, err := post(httpClient(), c.base+"/api/v1/halls/crash/tickets", map[string]string{"Authorization": "Bearer kiosk-01:k1"}, `{"service":"social"}`)
	if err != nil || !r.OK {
		t.Fatalf("take: %v %+v", err, r)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("hallqd exited with %v after SIGTERM, want status 0\n%s", err, c.log.String())
		}
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		t.Fatal("hallqd did not exit within 10 s of SIGTERM")
	}
}

// TestBadConfigExitsTwo checks CONTRACT §1: a bad config names file and key, status 2.
func TestBadConfigExitsTwo(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"unknown service":  strings.Replace(crashConfig, "services: [social, housing]", "services: [social, tax]", 1),
		"duplicate prefix": strings.Replace(crashConfig, "prefix: B", "prefix: A", 1),
		"unparsable":       "hall: [",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			os.WriteFile(path, []byte(fmt.Sprintf(src, 1, 2, dir)), 0o644)
			cmd := exec.Command(os.Args[0], "--config", path)
			cmd.Env = append(os.Environ(), "HALLQ_CHILD=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("exit = %v, want status 2; stderr: %s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), path) {
				t.Fatalf("stderr %q does not name the file", stderr.String())
			}
		})
	}
}

// TestDamagedDataDirIsAClearError checks a data dir that is not a journal.
func TestDamagedDataDirIsAClearError(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, "journal.db"), bytes.Repeat([]byte("garbage "), 1000), 0o644)
	cfgPath := filepath.Join(dir, "hall.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(crashConfig, freePort(t), freePort(t), data)), 0o644)
	cmd := exec.Command(os.Args[0], "--config", cfgPath)
	cmd.Env = append(os.Environ(), "HALLQ_CHILD=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil || !strings.Contains(stderr.String(), "journal.db") || !strings.Contains(stderr.String(), "damaged") {
		t.Fatalf("err = %v, stderr = %q; want a failure naming journal.db and the damage", err, stderr.String())
	}
}
