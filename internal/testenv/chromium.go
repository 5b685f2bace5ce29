package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	// chromiumStartTimeout bounds the wait for the browser's first tab.
	chromiumStartTimeout = 90 * time.Second
	// chromiumStopTimeout bounds the graceful close in cleanup.
	chromiumStopTimeout = 30 * time.Second
)

// chromiumNames are the browser programs StartChromium looks for, in order.
func chromiumNames() []string {
	return []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
}

// StartChromium starts a headless Chromium with a fresh profile and returns a chromedp context for its first tab; tb.Cleanup closes the browser.
//
// Run actions with chromedp.Do(ctx, ...) or chromedp.Run(ctx, action); open
// more tabs with chromedp.NewContext(ctx). Derive per-action timeouts from
// ctx with context.WithTimeout. The browser has no sandbox (tests run as root),
// no GPU, no QUIC, no background or component-update traffic, autoplay
// without a user gesture, and resolves no host but localhost, 127.* and ::1,
// so a page can reach only servers the test runs on the loopback interface. Its
// output is kept in chromium.log in the test's temp dir.
func StartChromium(tb testing.TB) context.Context {
	tb.Helper()
	begin := time.Now()
	bin, err := lookBinary(chromiumNames()...)
	RequireExternal(tb, "Chromium (chromium, Debian package chromium)", err)

	dir := tb.TempDir()
	logPath := filepath.Join(dir, "chromium.log")
	logf, err := os.Create(logPath)
	if err != nil {
		tb.Fatalf("testenv: Chromium: create log: %v", err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		// Belt and braces for "no network except loopback": every host
		// but localhost and the loopback addresses fails to resolve
		// (Chromium applies these rules to IP literals too), so nothing
		// the browser or a page does can reach another machine.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.* , EXCLUDE ::1"),
		// A fresh profile in a temp dir. chromedp creates it when no
		// --user-data-dir is given and, after the browser exits, kills
		// leftover child processes that still use it and removes it with
		// retries: a directory in tb.TempDir could still be written to
		// by those children when TempDir's cleanup removes it.
		chromedp.CombinedOutput(logf),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop := func() {
		cancel()
		allocCancel()
		logf.Close()
	}

	// The first Do starts the browser and ties it to ctx, so it must not
	// get a context with a deadline; the deadline is enforced here instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	timer := time.NewTimer(chromiumStartTimeout)
	defer timer.Stop()
	select {
	case err = <-started:
	case <-timer.C:
		err = fmt.Errorf("no first tab after %v", chromiumStartTimeout)
	}
	if err != nil {
		stop()
		tb.Fatalf("testenv: Chromium (%s) did not start: %v\n%s", bin, err, chromiumTail(logPath))
	}

	tb.Cleanup(func() {
		closed := make(chan error, 1)
		go func() {
			// Closes the browser gracefully and waits for it to exit.
			closed <- chromedp.Cancel(ctx)
		}()
		timer := time.NewTimer(chromiumStopTimeout)
		defer timer.Stop()
		select {
		case err := <-closed:
			if err != nil {
				tb.Logf("testenv: Chromium close: %v", err)
			}
		case <-timer.C:
			tb.Errorf("testenv: Chromium did not close within %v; killing it\n%s", chromiumStopTimeout, chromiumTail(logPath))
		}
		stop()
	})
	tb.Logf("testenv: Chromium (%s) ready in %v", bin, time.Since(begin).Round(time.Millisecond))
	return ctx
}

// chromiumTail is the tail of the browser's log without the D-Bus errors that
// Chromium logs by the dozen on a machine without a session bus.
func chromiumTail(path string) string {
	return tailFileFiltered(path, func(line string) bool {
		return strings.Contains(line, ":ERROR:dbus/")
	})
}
