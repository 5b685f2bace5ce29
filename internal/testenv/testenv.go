// Package testenv starts the real external components that hallq's tests run
// against — MariaDB, Mosquitto and headless Chromium — as throw-away
// processes on 127.0.0.1, owned by the test that started them.
//
// Every component gets its own temporary directory and a free loopback port,
// and is killed and removed by tb.Cleanup. Nothing listens on any address
// other than 127.0.0.1, and no system service is used or touched.
//
// When a component's program is not installed, the test is skipped, unless
// the environment variable HALLQ_REQUIRE_EXTERNAL is set to a true value
// ("1"), in which case it fails: see RequireExternal. A program that is
// installed but fails to start always fails the test, with the tail of its
// log in the message.
package testenv

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// RequireExternalEnv is the environment variable that turns a missing
// external component from a skipped test into a failed one.
const RequireExternalEnv = "HALLQ_REQUIRE_EXTERNAL"

// ExternalRequired reports whether HALLQ_REQUIRE_EXTERNAL asks for missing external components to fail tests.
func ExternalRequired() bool {
	v := strings.TrimSpace(os.Getenv(RequireExternalEnv))
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// RequireExternal skips tb (or fails it under HALLQ_REQUIRE_EXTERNAL=1) because the external component what is unavailable for reason err; it does nothing when err is nil.
func RequireExternal(tb testing.TB, what string, err error) {
	tb.Helper()
	requireExternal(tb, what, err, ExternalRequired())
}

func requireExternal(tb testing.TB, what string, err error, required bool) {
	tb.Helper()
	if err == nil {
		return
	}
	if required {
		tb.Fatalf("testenv: %s is required (%s is set) but unavailable: %v", what, RequireExternalEnv, err)
		return
	}
	tb.Skipf("testenv: skipping, %s is unavailable: %v (set %s=1 to make this a failure; .ci/run installs it)", what, err, RequireExternalEnv)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago, for a server the test is about to start.
func FreePort(tb testing.TB) int {
	tb.Helper()
	port, err := freePort()
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return port
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("close probe listener on port %d: %w", port, err)
	}
	return port, nil
}

// pollInterval is how often Eventually and the readiness checks look again.
const pollInterval = 5 * time.Millisecond

// Eventually polls cond every few milliseconds until it returns true, and fails tb with msg if it has not by timeout.
//
// It is for waiting on external processes (a server coming up, a row written
// by another program, a message arriving through a broker) where there is no
// channel or callback to wait on. It is not a sleep: it returns as soon as
// cond holds, and timeout is only the limit after which the test gives up.
// Prefer a channel whenever the code under test offers one. Like t.Fatalf, it
// must be called from the goroutine running the test.
func Eventually(tb testing.TB, timeout time.Duration, cond func() bool, msg string) {
	tb.Helper()
	err := poll(timeout, func() (bool, error) { return cond(), nil })
	if err != nil {
		tb.Fatalf("testenv: %s (still not true after %v)", msg, timeout)
	}
}

// errTimeout is returned by poll when the deadline passes.
var errTimeout = errors.New("timed out")

// poll calls check every pollInterval until it reports done or returns an
// error, or until timeout passes (then it returns errTimeout, wrapped).
func poll(timeout time.Duration, check func() (done bool, err error)) error {
	deadline := time.Now().Add(timeout)
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("%w after %v", errTimeout, timeout)
		}
		<-ticker.C
	}
}

// sbinDirs are searched after PATH: Debian installs servers such as mariadbd
// and mosquitto in /usr/sbin, which is not in an ordinary user's PATH.
func sbinDirs() []string { return []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} }

// lookBinary returns the path of the first of names found in PATH or in the
// sbin directories.
func lookBinary(names ...string) (string, error) {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	for _, name := range names {
		for _, dir := range sbinDirs() {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("none of %s found in PATH or %s", strings.Join(names, ", "), strings.Join(sbinDirs(), ", "))
}

// tailBytes is how much of a server log goes into a failure message.
const tailBytes = 4096

// tailFile returns the last tailBytes of the file at path, for failure
// messages; it never fails, it describes the problem instead.
func tailFile(path string) string {
	return tailFileFiltered(path, nil)
}

// tailFileFiltered is tailFile without the lines for which drop returns true
// (drop may be nil), so that known noise does not push out the useful lines.
func tailFileFiltered(path string, drop func(line string) bool) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log %s: %v)", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(cannot stat log %s: %v)", path, err)
	}
	// Read more than is shown, so that dropped lines leave enough.
	const window = 16 * tailBytes
	off := max(fi.Size()-window, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, off, fi.Size()-off))
	if err != nil {
		return fmt.Sprintf("(cannot read log %s: %v)", path, err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if off > 0 && len(lines) > 0 {
		lines = lines[1:] // most likely a partial line
	}
	var kept []string
	size, cut := 0, off > 0
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if drop != nil && drop(l) {
			cut = true
			continue
		}
		if size+len(l) > tailBytes {
			cut = true
			break
		}
		size += len(l)
		kept = append(kept, l)
	}
	slices.Reverse(kept)
	s := strings.Join(kept, "")
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	if cut {
		s = "[...]\n" + s
	}
	return fmt.Sprintf("--- tail of %s ---\n%s--- end of log ---", path, s)
}
