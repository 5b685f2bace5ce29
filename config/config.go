// Package config reads and checks hallqd's YAML config file (CONTRACT §1).
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hallq/hallq/queue"
)

// Config is the whole config file.
type Config struct {
	Hall     Hall      `yaml:"hall"`
	Services []Service `yaml:"services"`
	Counters []Counter `yaml:"counters"`
	Devices  []Device  `yaml:"devices"`
	Staff    []Staff   `yaml:"staff"`
	// DeviceConfig is the desired device configuration, retained on
	// dev/{id}/config; raise its version on every change.
	DeviceConfig DeviceConfig `yaml:"device_config"`
	Firmware     Firmware     `yaml:"firmware"` // CONTRACT §6 images and rollouts
	Listen       Listen       `yaml:"listen"`
	Broker       Broker       `yaml:"broker"`
	Storage      Storage      `yaml:"storage"`
	// The management keys of contract 1.1 (config/management.go).
	Calendar    Calendar    `yaml:"calendar"`
	Evaluation  Evaluation  `yaml:"evaluation"`
	Supervision Supervision `yaml:"supervision"`
	// Appointments and integrations (config/appointments.go).
	Appointments Appointments  `yaml:"appointments"`
	Integrations []Integration `yaml:"integrations"`
	Limits       Limits        `yaml:"limits"` // robustness limits (docs/robustness.md)
	// Speaker zones and voice of the hall screens (config/screens.go).
	Zones []Zone `yaml:"zones"`
	Voice Voice  `yaml:"voice"`

	File string `yaml:"-"` // where it was read from; "(demo)" for the embedded demo
	Demo bool   `yaml:"-"`
}

// Hall is the hall's identity and rules.
type Hall struct {
	ID            string     `yaml:"id"`
	Name          queue.Name `yaml:"name"`
	Timezone      string     `yaml:"timezone"`
	Hours         []Hours    `yaml:"hours"`
	RecallLimit   *int       `yaml:"recall_limit"`    // default 3
	RatingWindowS int        `yaml:"rating_window_s"` // default 120
	PublicURL     string     `yaml:"public_url"`      // base of QR links; default http://{listen.http}
	Notice        queue.Name `yaml:"notice"`          // the hall screen's scrolling line
}

// Hours are opening hours for some weekdays.
type Hours struct {
	Days  []string `yaml:"days"`
	Open  string   `yaml:"open"`
	Close string   `yaml:"close"`
	// Only and Services make these hours an extra window for some tickets
	// only (先时/延时, fast lanes; config/appointments.go).
	Only     string   `yaml:"only"`
	Services []string `yaml:"services"`
}

// Service is one service of the hall.
type Service struct {
	ID            string       `yaml:"id"`
	Prefix        string       `yaml:"prefix"`
	Name          queue.Name   `yaml:"name"`
	DailyQuota    int          `yaml:"daily_quota"`
	TargetWaitMin float64      `yaml:"target_wait_min"` // default 30; may be fractional (0.05 = 3 s)
	AvgServiceS   int          `yaml:"avg_service_s"`   // default 300
	PromiseDays   int          `yaml:"promise_days"`    // working days promised for a 承诺件
	Info          *ServiceInfo `yaml:"info"`            // 六公开
	// AppointmentCapacity is the bookings per slot; 0 = appointments.capacity.
	AppointmentCapacity int `yaml:"appointment_capacity"`
}

// Counter is one counter.
type Counter struct {
	ID       string     `yaml:"id"`
	Name     queue.Name `yaml:"name"`
	Services []string   `yaml:"services"`
}

// Device is one device: its MQTT username, kind and secret.
type Device struct {
	ID      string `yaml:"id"`
	Kind    string `yaml:"kind"`
	Secret  string `yaml:"secret"`
	Counter string `yaml:"counter"`
}

// Staff is a staff account for the web console.
type Staff struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	StaffNo string `yaml:"staff_no"` // 工号
	Unit    string `yaml:"unit"`     // the department they come from, e.g. 人社局
	Role    string `yaml:"role"`     // staff | supervisor | admin
	// Counters are the counters this person may sign in at; empty = all.
	Counters     []string `yaml:"counters"`
	PasswordHash string   `yaml:"password_hash"`
	Password     string   `yaml:"password"` // demo only; prefer password_hash (hallqd hash-password)
}

// DeviceConfig is the desired configuration per device kind
// (firmware-config.Schema lists the settings).
type DeviceConfig struct {
	Version  int                       `yaml:"version"`
	Settings map[string]map[string]any `yaml:"settings"` // kind -> setting -> value
}

// Listen holds the listen addresses.
type Listen struct {
	HTTP string `yaml:"http"`
	MQTT string `yaml:"mqtt"`
}

// Broker selects an external MQTT broker.
type Broker struct {
	URL      string `yaml:"url"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Storage says where the journal lives and whether MySQL gets a copy.
type Storage struct {
	Dir      string `yaml:"dir"`
	MySQLDSN string `yaml:"mysql_dsn"`
}

// Error is a config problem: the file, the key and what is wrong with it.
type Error struct {
	File    string
	Key     string
	Problem string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("config %s: %s", e.File, e.Problem)
	}
	return fmt.Sprintf("config %s: %s: %s", e.File, e.Key, e.Problem)
}

//go:embed demo.yaml
var demoYAML []byte

// Load reads and checks the config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Problem: fmt.Sprintf("cannot read: %v", err)}
	}
	return Parse(path, data)
}

// Demo is the embedded demo hall.
func Demo() *Config {
	c, err := Parse("(demo)", demoYAML)
	if err != nil {
		panic("embedded demo config is invalid: " + err.Error())
	}
	c.Demo = true
	return c
}

// Parse decodes and checks a config; file names it in errors.
func Parse(file string, data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, &Error{File: file, Problem: "invalid: " + joinLines(te.Errors)}
		}
		return nil, &Error{File: file, Problem: "unparsable YAML: " + err.Error()}
	}
	c.File = file
	c.defaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func joinLines(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s)
	}
	return b.String()
}

func (c *Config) defaults() {
	if c.Hall.Timezone == "" {
		c.Hall.Timezone = "Asia/Shanghai"
	}
	if c.Hall.RecallLimit == nil {
		n := 3
		c.Hall.RecallLimit = &n
	}
	if c.Hall.RatingWindowS == 0 {
		c.Hall.RatingWindowS = 120
	}
	if c.Listen.HTTP == "" {
		c.Listen.HTTP = "127.0.0.1:8080"
	}
	if c.Listen.MQTT == "" {
		c.Listen.MQTT = "127.0.0.1:1883"
	}
	if c.Storage.Dir == "" {
		c.Storage.Dir = "./data"
	}
	c.managementDefaults()
	c.Limits.defaults()
	c.screenDefaults()
	for i := range c.Services {
		if c.Services[i].TargetWaitMin == 0 {
			c.Services[i].TargetWaitMin = 30
		}
		if c.Services[i].AvgServiceS == 0 {
			c.Services[i].AvgServiceS = 300
		}
	}
}

// Spec turns the config into what the queue core decides against.
func (c *Config) Spec() *queue.Spec {
	loc, _ := time.LoadLocation(c.Hall.Timezone) // checked by validate
	sp := &queue.Spec{HallID: c.Hall.ID, HallName: c.Hall.Name, Location: loc, RecallLimit: *c.Hall.RecallLimit,
		RatingWindow: time.Duration(c.Hall.RatingWindowS) * time.Second, Notice: c.Hall.Notice,
		Services: map[string]*queue.ServiceSpec{}, Counters: map[string]*queue.CounterSpec{}, Devices: map[string]*queue.DeviceSpec{}}
	for _, h := range c.Hall.Hours {
		if h.Only != "" || len(h.Services) > 0 {
			continue // an extra window (specAppointments)
		}
		var hs queue.Hours
		for _, d := range h.Days {
			wd, _ := queue.ParseWeekday(d)
			hs.Days = append(hs.Days, wd)
		}
		hs.Open, _ = queue.ParseClock(h.Open)
		hs.Close, _ = queue.ParseClock(h.Close)
		sp.Hours = append(sp.Hours, hs)
	}
	for _, s := range c.Services {
		sp.Services[s.ID] = &queue.ServiceSpec{ID: s.ID, Prefix: s.Prefix, Name: s.Name, DailyQuota: s.DailyQuota,
			TargetWait: time.Duration(s.TargetWaitMin * float64(time.Minute)), AvgService: time.Duration(s.AvgServiceS) * time.Second}
		sp.ServiceOrder = append(sp.ServiceOrder, s.ID)
	}
	for _, k := range c.Counters {
		sp.Counters[k.ID] = &queue.CounterSpec{ID: k.ID, Name: k.Name, Services: k.Services}
		sp.CounterOrder = append(sp.CounterOrder, k.ID)
	}
	for _, d := range c.Devices {
		sp.Devices[d.ID] = &queue.DeviceSpec{ID: d.ID, Kind: d.Kind, Counter: d.Counter}
		sp.DeviceOrder = append(sp.DeviceOrder, d.ID)
	}
	c.specManagement(sp)
	c.specAppointments(sp)
	return sp
}
