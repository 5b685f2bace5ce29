package testenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	mqtt "github.com/eclipse/paho.mqtt.golang"
	_ "github.com/go-sql-driver/mysql"
)

// waitLimit bounds every wait on an external process in these tests. It is a
// give-up limit for a hung component, never an assertion about speed.
const waitLimit = 30 * time.Second

// fakeTB records Skipf and Fatalf instead of acting on them.
type fakeTB struct {
	testing.TB
	skipped, fatal string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(format string, args ...any) { f.skipped = fmt.Sprintf(format, args...) }

func (f *fakeTB) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }

func TestRequireExternal(t *testing.T) {
	missing := errors.New("binary not found")

	var ok fakeTB
	requireExternal(&ok, "Thing", nil, true)
	if ok.skipped != "" || ok.fatal != "" {
		t.Errorf("nil error: got skip %q, fatal %q; want neither", ok.skipped, ok.fatal)
	}

	var skip fakeTB
	requireExternal(&skip, "Thing", missing, false)
	if skip.fatal != "" || !strings.Contains(skip.skipped, "Thing") || !strings.Contains(skip.skipped, "binary not found") || !strings.Contains(skip.skipped, RequireExternalEnv) {
		t.Errorf("not required: got skip %q, fatal %q; want a skip naming the component, the error and %s", skip.skipped, skip.fatal, RequireExternalEnv)
	}

	var fail fakeTB
	requireExternal(&fail, "Thing", missing, true)
	if fail.skipped != "" || !strings.Contains(fail.fatal, "Thing") || !strings.Contains(fail.fatal, "binary not found") {
		t.Errorf("required: got skip %q, fatal %q; want a failure naming the component and the error", fail.skipped, fail.fatal)
	}
}

func TestExternalRequired(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "1": true, "true": true, "yes": true} {
		t.Setenv(RequireExternalEnv, v)
		if got := ExternalRequired(); got != want {
			t.Errorf("%s=%q: ExternalRequired() = %v, want %v", RequireExternalEnv, v, got, want)
		}
	}
}

func TestEventually(t *testing.T) {
	calls := 0
	Eventually(t, waitLimit, func() bool { calls++; return calls == 3 }, "counter never reached 3")
	if calls != 3 {
		t.Errorf("cond called %d times, want 3 (Eventually must stop once it holds)", calls)
	}

	var f fakeTB
	Eventually(&f, 20*time.Millisecond, func() bool { return false }, "never true")
	if !strings.Contains(f.fatal, "never true") {
		t.Errorf("Eventually on a false condition: fatal = %q, want the message", f.fatal)
	}
}

func TestFreePort(t *testing.T) {
	port := FreePort(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("listen on FreePort's port %d: %v", port, err)
	}
	l.Close()
}

func TestTailFileFiltered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "line %d\n", i)
		fmt.Fprintf(&b, "noise %d\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tail := tailFileFiltered(path, func(l string) bool { return strings.HasPrefix(l, "noise") })
	if strings.Contains(tail, "noise") || !strings.Contains(tail, "line 1999\n--- end of log ---") || !strings.Contains(tail, "[...]") {
		t.Errorf("filtered tail is wrong:\n%s", tail)
	}
	if len(tail) > tailBytes+200 {
		t.Errorf("tail is %d bytes, want about %d", len(tail), tailBytes)
	}
	if got := tailFile(filepath.Join(t.TempDir(), "missing")); !strings.Contains(got, "cannot read log") {
		t.Errorf("tail of a missing file = %q, want an explanation", got)
	}
}

func TestMosquittoConf(t *testing.T) {
	conf := mosquittoConf(1883, "", true)
	for _, want := range []string{"listener 1883 127.0.0.1\n", "allow_anonymous true\n", "persistence false\n", "user root\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("default config lacks %q:\n%s", want, conf)
		}
	}
	conf = mosquittoConf(1883, "password_file /x/pw\nallow_anonymous false", false)
	if strings.Contains(conf, "allow_anonymous true") || strings.Contains(conf, "user root") {
		t.Errorf("config with auth, not root, must not allow anonymous access or set user root:\n%s", conf)
	}
	if !strings.HasSuffix(conf, "password_file /x/pw\nallow_anonymous false\n") {
		t.Errorf("extraConf not appended verbatim:\n%s", conf)
	}
}

func TestMariaDB(t *testing.T) {
	t.Parallel()
	m := StartMariaDB(t)
	if !strings.HasPrefix(m.DSN, fmt.Sprintf("root@tcp(127.0.0.1:%d)/hallq?", m.Port)) {
		t.Errorf("DSN = %q, want root@tcp(127.0.0.1:%d)/hallq?...", m.DSN, m.Port)
	}
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatalf("open %s: %v", m.DSN, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()

	const name = "Žofie Nováková"
	// multiStatements=true: schema and a first row in one Exec.
	if _, err := db.ExecContext(ctx, `CREATE TABLE tickets (id INT PRIMARY KEY, holder VARCHAR(64) NOT NULL) ENGINE=InnoDB;
		INSERT INTO tickets VALUES (2, 'first')`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO tickets VALUES (1, ?)`, name); err != nil {
		t.Fatalf("insert: %v", err)
	}

	m.Kill()
	if err := db.PingContext(ctx); err == nil {
		t.Fatalf("ping succeeded after Kill; the server is still running")
	}

	m.Start(t)
	// The same pool reconnects to the same port after the restart.
	var got string
	if err := db.QueryRowContext(ctx, `SELECT holder FROM tickets WHERE id = 1`).Scan(&got); err != nil {
		t.Fatalf("select after restart: %v\n%s", err, tailFile(m.LogFile))
	}
	if got != name {
		t.Errorf("after Kill and Start: holder = %q, want %q", got, name)
	}

	dsn := m.NewDatabase(t, "hallq_other")
	other, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer other.Close()
	var current, charset string
	if err := other.QueryRowContext(ctx, `SELECT DATABASE(), @@character_set_database`).Scan(&current, &charset); err != nil {
		t.Fatalf("query new database: %v", err)
	}
	if current != "hallq_other" || charset != "utf8mb4" {
		t.Errorf("new database: DATABASE() = %q, charset %q; want hallq_other, utf8mb4", current, charset)
	}
	var tables int
	if err := other.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()`).Scan(&tables); err != nil {
		t.Fatalf("count tables: %v", err)
	}
	if tables != 0 {
		t.Errorf("new database has %d tables, want 0", tables)
	}
}

// mqttConnect connects a paho client to m, failing the test if it cannot.
func mqttConnect(t *testing.T, m *Mosquitto, id string, configure func(*mqtt.ClientOptions)) mqtt.Client {
	t.Helper()
	opts := mqtt.NewClientOptions().AddBroker(m.URL).SetClientID(id).
		SetAutoReconnect(false).SetConnectTimeout(10 * time.Second)
	if configure != nil {
		configure(opts)
	}
	c := mqtt.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("client %s: connect to %s: %v\n%s", id, m.URL, tok.Error(), tailFile(m.LogFile))
	}
	t.Cleanup(func() { c.Disconnect(0) })
	return c
}

// mqttRoundTrip subscribes with one client and publishes with another at
// QoS 1, and checks that the message arrives.
func mqttRoundTrip(t *testing.T, m *Mosquitto, tag string, configure func(*mqtt.ClientOptions)) {
	t.Helper()
	topic := "hallq/testenv/" + tag
	payload := "ticket A042 to counter 3 (" + tag + ")"
	received := make(chan mqtt.Message, 1)
	sub := mqttConnect(t, m, "sub-"+tag, configure)
	tok := sub.Subscribe(topic, 1, func(_ mqtt.Client, msg mqtt.Message) {
		select {
		case received <- msg:
		default:
		}
	})
	if !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("subscribe %s: %v", topic, tok.Error())
	}

	pub := mqttConnect(t, m, "pub-"+tag, configure)
	if tok := pub.Publish(topic, 1, false, payload); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("publish to %s: %v", topic, tok.Error())
	}

	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	select {
	case msg := <-received:
		if string(msg.Payload()) != payload || msg.Qos() != 1 || msg.Topic() != topic {
			t.Errorf("received %q on %s at QoS %d, want %q on %s at QoS 1", msg.Payload(), msg.Topic(), msg.Qos(), payload, topic)
		}
	case <-timer.C:
		t.Fatalf("no message on %s within %v\n%s", topic, waitLimit, tailFile(m.LogFile))
	}
}

func TestMosquitto(t *testing.T) {
	t.Parallel()
	m := StartMosquitto(t, "")
	mqttRoundTrip(t, m, "first", nil)

	m.Stop()
	if c, err := net.DialTimeout("tcp", m.Addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Stop", m.Addr)
	}
	m.Start(t)
	mqttRoundTrip(t, m, "after-stop", nil)

	m.Kill()
	m.Start(t)
	mqttRoundTrip(t, m, "after-kill", nil)
}

func TestMosquittoPasswordFile(t *testing.T) {
	t.Parallel()
	pw := filepath.Join(t.TempDir(), "passwd")
	MosquittoPasswd(t, pw, "display", "s3cret")
	MosquittoPasswd(t, pw, "kiosk", "other")
	m := StartMosquitto(t, "password_file "+pw+"\nallow_anonymous false\n")

	anon := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(m.URL).SetClientID("anon").
		SetAutoReconnect(false).SetConnectTimeout(10 * time.Second))
	if tok := anon.Connect(); !tok.WaitTimeout(waitLimit) || tok.Error() == nil {
		anon.Disconnect(0)
		t.Fatalf("anonymous client connected to a broker with allow_anonymous false")
	}
	wrong := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(m.URL).SetClientID("wrong").
		SetUsername("display").SetPassword("wrong").SetAutoReconnect(false).SetConnectTimeout(10 * time.Second))
	if tok := wrong.Connect(); !tok.WaitTimeout(waitLimit) || tok.Error() == nil {
		wrong.Disconnect(0)
		t.Fatalf("client with a wrong password connected")
	}
	mqttRoundTrip(t, m, "auth", func(o *mqtt.ClientOptions) {
		o.SetUsername("display").SetPassword("s3cret")
	})
}

func TestChromium(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><body><p id="out">static</p>
<script>document.getElementById("out").textContent = "called: A" + String(40 + 2).padStart(3, "0");</script>
</body></html>`)
	}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("httptest server at %s, want 127.0.0.1", srv.URL)
	}

	ctx := StartChromium(t)
	runCtx, cancel := context.WithTimeout(ctx, waitLimit)
	defer cancel()
	if err := chromedp.Do(runCtx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatalf("load %s: %v", srv.URL, err)
	}
	text, err := chromedp.Run(runCtx, chromedp.Text(chromedp.CSS("#out")))
	if err != nil {
		t.Fatalf("read #out on %s: %v", srv.URL, err)
	}
	if text != "called: A042" {
		t.Errorf("text of #out = %q, want %q (set by the page's script)", text, "called: A042")
	}
}
