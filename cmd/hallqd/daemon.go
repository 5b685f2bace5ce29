package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/devauth"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/staff"
	"github.com/hallq/hallq/store"
)

func runDaemon(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hallqd", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "hall config file (YAML); none = the demo hall")
	logJSON := fs.Bool("log-json", false, "log JSON lines instead of console text")
	debugAddr := fs.String("debug-addr", "", "serve Go's pprof profiles on this address (keep it on loopback), e.g. 127.0.0.1:6060")
	httpAddr := fs.String("http", "", "listen for HTTP here instead of the config's listen.http, e.g. 127.0.0.1:45080")
	mqttAddr := fs.String("mqtt", "", "run the embedded MQTT broker here instead of the config's listen.mqtt, e.g. 127.0.0.1:45883")
	dataDir := fs.String("data", "", "keep the journal here instead of the config's storage.dir")
	memLimit := fs.String("memory-limit", fmt.Sprintf("%dMiB", defaultMemoryLimit>>20), "soft memory limit of the Go runtime (e.g. 256MiB, or off); GOMEMLIMIT wins over the default")
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	memSet := false
	fs.Visit(func(f *flag.Flag) { memSet = memSet || f.Name == "memory-limit" })
	var cfg *config.Config
	if *cfgPath == "" {
		cfg = config.Demo()
	} else {
		c, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		cfg = c
	}
	overrideListen(cfg, *httpAddr, *mqttAddr, *dataDir)
	var out io.Writer = os.Stderr
	if !*logJSON {
		out = zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: "15:04:05.000"}
	}
	log := zerolog.New(out).With().Timestamp().Str("hall", cfg.Hall.ID).Logger()
	if err := applyMemoryLimit(*memLimit, memSet, log); err != nil {
		return &usageError{err.Error()}
	}
	if *debugAddr != "" {
		if err := serveDebug(*debugAddr, log); err != nil {
			return &usageError{err.Error()}
		}
	}
	m := &Main{Config: cfg, Log: log}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	log.Info().Msg("stopping: draining requests 正在停止")
	return m.Close()
}

// Main is a running hallqd; tests start it on a temp dir and port 0.
type Main struct {
	Config *config.Config
	Log    zerolog.Logger

	Registry *prometheus.Registry
	Journal  *store.Journal
	Hall     *hall.Hall
	Staff    *staff.Store
	Devices  *devauth.Checker
	Mux      *http.ServeMux
	HTTPAddr string // the bound address

	checks   []httpapi.Check
	details  []detail // /readyz detail that does not decide readiness
	http     *http.Server
	closers  []func() error // run in reverse order by Close, before the hall stops
	stopping chan struct{}
	rb       robust // connection caps and admission (docs/robustness.md)
}

// Run starts everything and returns once hallqd is serving.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	m.stopping = make(chan struct{})
	m.Registry = prometheus.NewRegistry()
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	j, err := store.Open(cfg.Storage.Dir, cfg.Hall.ID, m.Log)
	if err != nil {
		return fmt.Errorf("storage.dir %s: %w", cfg.Storage.Dir, err)
	}
	m.Journal = j
	// Bound before the hall and the devices: tickets print links to it and
	// firmware urls name it (CONTRACT §6).
	ln, err := net.Listen("tcp", cfg.Listen.HTTP)
	if err != nil {
		return fmt.Errorf("listen.http %s: %w", cfg.Listen.HTTP, err)
	}
	m.HTTPAddr = ln.Addr().String()
	m.closers = append(m.closers, func() error {
		if m.http == nil {
			return ln.Close()
		}
		return nil
	})
	h, err := hall.Open(hall.Config{Spec: cfg.Spec(), Journal: j, Log: m.Log, Metrics: hall.NewMetrics(m.Registry)})
	if err != nil {
		return fmt.Errorf("storage.dir %s: %w", cfg.Storage.Dir, err)
	}
	m.Hall = h
	m.startProjector()
	m.checks = append(m.checks, httpapi.Check{Name: "journal", Fn: func() error {
		if !h.Healthy() {
			return errors.New("journal appends are failing")
		}
		return nil
	}})
	m.addRobustnessChecks()
	m.setupAdmission()
	if err := m.pairDemoKiosk(ctx); err != nil {
		return fmt.Errorf("demo kiosk page token: %w", err)
	}
	var entries []staff.Entry
	for _, s := range cfg.Staff {
		entries = append(entries, staff.Entry{ID: s.ID, Name: s.Name, Role: s.Role, PasswordHash: s.PasswordHash, Password: s.Password})
	}
	if m.Staff, err = staff.NewStore(entries, time.Now); err != nil {
		return fmt.Errorf("staff accounts: %w", err)
	}
	sessions := filepath.Join(cfg.Storage.Dir, "sessions.json") // staff stay logged in across restarts
	if err := m.Staff.PersistTo(sessions, func(err error) { m.Log.Warn().Err(err).Msg("staff sessions 会话保存失败") }); err != nil {
		return fmt.Errorf("storage.dir %s: %w", cfg.Storage.Dir, err)
	}
	var creds []devauth.Cred
	for _, d := range cfg.Devices {
		creds = append(creds, devauth.Cred{ID: d.ID, Kind: d.Kind, Counter: d.Counter, Secret: d.Secret})
	}
	m.Devices = devauth.New(creds)
	m.limitDeviceAuth()
	for _, d := range cfg.Devices {
		if d.Secret == "" {
			m.Log.Warn().Str("device", d.ID).Msg("device has no secret in the config: it is refused at CONNECT until one is set 设备未配置密钥")
		}
	}
	if err := m.startDevices(ctx); err != nil {
		return err
	}
	if err := m.startReplication(ctx); err != nil {
		return err
	}
	if err := m.startEvalPush(); err != nil {
		return err
	}
	m.Mux = http.NewServeMux()
	apiCfg := httpapi.Config{Hall: h, Staff: m.Staff, Devices: m.Devices, Gatherer: m.Registry, Checks: m.checks,
		Log: m.Log, BaseURL: m.publicURL(), Details: m.readyDetails}
	apiCfg.Screens, apiCfg.Registerer = cfg.Screens(), m.Registry // speaker zones and voice (config/screens.go)
	for _, z := range cfg.Zones {
		apiCfg.ZoneIDs = append(apiCfg.ZoneIDs, z.ID)
	}
	if err := m.firmwareAPI(&apiCfg); err != nil {
		return err
	}
	m.decorateAPI(&apiCfg)
	if err := m.wireAppointments(&apiCfg); err != nil {
		return err
	}
	m.admitAPI(&apiCfg)
	if apiCfg.Reports, err = m.reports(); err != nil {
		return err
	}
	httpapi.New(apiCfg, m.Mux)
	m.mountDisplay(m.Mux)
	m.announce() // before serving: whoever sees /readyz answer can find the line
	m.serveHTTP(ln)
	return nil
}

// publicURL is the base of links printed on tickets.
func (m *Main) publicURL() string {
	if m.Config.Hall.PublicURL != "" {
		return m.Config.Hall.PublicURL
	}
	return "http://" + m.HTTPAddr
}

// announce logs where to point a browser.
func (m *Main) announce() {
	base := m.publicURL()
	ev := m.Log.Info().Str("hall_screen", base+"/screen/hall").Str("console", base+"/console").
		Str("kiosk", base+"/kiosk").Str("supervisor", base+"/supervisor").Str("mqtt", m.Config.Listen.MQTT)
	if m.Config.Demo {
		ev = ev.Str("demo_logins", "s01/demo-s01 (staff), super/demo-super, admin/demo-admin").
			Str("demo_kiosk", base+"/kiosk#device=kiosk-01&token="+demoPageToken).
			Str("demo_rater", base+"/rate/1#device=rater-1&token="+demoRaterToken)
	}
	ev.Msg("hallqd is serving 服务已启动: open " + base + "/ in a browser")
}

// Close stops taking requests, finishes in-flight ones, flushes and stops
// (CONTRACT §4 SIGTERM).
func (m *Main) Close() error {
	var errs []error
	errs = append(errs, m.stopHTTP())
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	if m.Hall != nil {
		errs = append(errs, m.Hall.Close())
		m.Hall = nil
	}
	if m.Journal != nil {
		errs = append(errs, m.Journal.Close())
		m.Journal = nil
	}
	return errors.Join(errs...)
}
