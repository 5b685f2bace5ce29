package devices

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hallq/hallq/internal/testenv"
)

// TestMain removes the hallqd binary that buildHallqd made.
func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// binDir holds the hallqd binary built for the tests.
var binDir = filepath.Join(os.TempDir(), fmt.Sprintf("hallq-devices-test-%d", os.Getpid()))

// buildHallqd builds cmd/hallqd once per test binary.
var buildHallqd = sync.OnceValues(func() (string, error) {
	if err := os.MkdirAll(binDir, 0o700); err != nil {
		return "", err
	}
	bin := filepath.Join(binDir, "hallqd")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	out, err := exec.Command(goBin, "build", "-o", bin, "github.com/hallq/hallq/cmd/hallqd").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/hallqd: %v\n%s", err, out)
	}
	return bin, nil
})

// syncBuffer is a child's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// readyz returns the parts of GET /readyz.
func readyz(base string) (map[string]string, error) {
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(base + "/readyz")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Parts map[string]string `json:"parts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	return body.Parts, nil
}

// TestHallqdACLWithMosquitto runs the real hallqd: `hallqd acl` writes the
// Mosquitto files, Mosquitto runs with them, and hallqd with broker.url
// serves devices through it, across a broker restart.
func TestHallqdACLWithMosquitto(t *testing.T) {
	bin, err := buildHallqd()
	if err != nil {
		// The build covers every package hallqd links; a broken one fails
		// go build ./... and its own tests, not this test of the wiring.
		t.Skipf("cannot build cmd/hallqd: %v", err)
	}
	dir := t.TempDir()
	httpPort := testenv.FreePort(t)
	base := testYAML + fmt.Sprintf("listen: {http: \"127.0.0.1:%d\"}\nstorage: {dir: %q}\nbroker:\n  username: hallqd\n  password: s-hallqd\n",
		httpPort, filepath.Join(dir, "data"))
	cfgPath := filepath.Join(dir, "hall.yaml")
	if err := os.WriteFile(cfgPath, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "mosquitto")
	if b, err := exec.Command(bin, "acl", "--config", cfgPath, "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("hallqd acl: %v\n%s", err, b)
	}
	pw, _ := os.ReadFile(filepath.Join(out, "password_file"))
	if bytes.Contains(pw, []byte("s-kiosk-01")) || !bytes.Contains(pw, []byte("kiosk-01:$7$101$")) {
		t.Fatalf("password_file does not hold $7$ hashes:\n%s", pw)
	}
	conf, err := os.ReadFile(filepath.Join(out, "hallq-mosquitto.conf"))
	if err != nil || !bytes.Contains(conf, []byte("use_username_as_clientid true\n")) {
		t.Fatalf("hallq-mosquitto.conf (%v):\n%s", err, conf)
	}
	m := testenv.StartMosquitto(t, string(conf))
	if err := os.WriteFile(cfgPath, []byte(strings.Replace(base, "broker:\n", "broker:\n  url: "+m.URL+"\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}

	var log syncBuffer
	cmd := exec.Command(bin, "--config", cfgPath, "--log-json")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("hallqd log:\n%s", log.String())
		}
	})
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	brokerOK := func() bool { p, err := readyz(api); return err == nil && p["broker"] == "ok" }
	testenv.Eventually(t, 30*time.Second, brokerOK, "hallqd not ready with the external broker")

	e := &env{t: t, cfg: mustParse(t, testYAML), broker: m.URL}
	t.Run("OK", func(t *testing.T) {
		k := e.connect("kiosk-01").in(t)
		want(t, "number", k.ok("ticket.take", map[string]any{"service": "general"})["number"], any("A001"))
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		wantErr(t, e.connect("led-1").in(t).do("call.next", nil), "forbidden")
	})
	t.Run("RefusedWrongSecret", func(t *testing.T) {
		if c, err := e.dial("kiosk-01", clientOpts{pass: "guess"}); err == nil {
			c.disconnect()
			t.Fatal("connected with a wrong secret")
		}
	})
	t.Run("OKNoClientIDTakeover", func(t *testing.T) {
		caller := e.connect("caller-1").in(t)
		lost := make(chan struct{})
		go func() { // the real caller must stay connected
			for caller.c.IsConnectionOpen() {
				select {
				case <-exited:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
			close(lost)
		}()
		// a kiosk's credentials with the caller's client id: Mosquitto uses
		// the user name as client id, so the caller is not kicked off
		k, err := e.dial("kiosk-01", clientOpts{clientID: "caller-1"})
		if err != nil {
			t.Fatalf("kiosk with client id caller-1: %v", err)
		}
		defer k.disconnect()
		want(t, "kiosk still acts as itself", k.in(t).ok("ticket.take", map[string]any{"service": "tax"})["number"], any("C001"))
		caller.ok("counter.open", nil)
		select {
		case <-lost:
			t.Fatal("the real caller-1 was disconnected by the kiosk's login")
		default:
		}
	})
	t.Run("OKBrokerRestart", func(t *testing.T) {
		m.Stop()
		testenv.Eventually(t, 30*time.Second, func() bool { return !brokerOK() }, "readyz still says the broker is ok")
		m.Start(t)
		testenv.Eventually(t, 30*time.Second, brokerOK, "hallqd did not reconnect")
		w := e.connect("screen-01", clientOpts{noSub: true}).in(t)
		w.subscribe(e.topic("state/services/general"))
		want(t, "waiting after restart", decode(t, w.next(on(e.topic("state/services/general"))))["waiting"], any(1.0))
		k := e.connect("kiosk-01").in(t)
		want(t, "number", k.ok("ticket.take", map[string]any{"service": "general"})["number"], any("A002"))
	})
}
