package config

import "fmt"

// Limits protect the hall from faults and abuse (docs/robustness.md). Every
// key is optional; 0 means the default.
type Limits struct {
	// HTTPMaxConns caps open HTTP connections (websockets included); it is
	// lowered further to leave FDReserve file handles free. Default 4096.
	HTTPMaxConns int `yaml:"http_max_conns"`
	// HTTPMaxConnsPerIP caps open HTTP connections from one address. Default 512.
	HTTPMaxConnsPerIP int `yaml:"http_max_conns_per_ip"`
	// FDReserve is how many file handles HTTP connections may never use:
	// they stay for the MQTT broker, the journal and MySQL. Default 512.
	FDReserve int `yaml:"fd_reserve"`
	// HTTPHeaderTimeoutS bounds reading a request's headers. Default 10.
	HTTPHeaderTimeoutS float64 `yaml:"http_header_timeout_s"`
	// HTTPReadTimeoutS bounds reading a whole request, body included. Default 60.
	HTTPReadTimeoutS float64 `yaml:"http_read_timeout_s"`
	// HTTPIdleTimeoutS closes a keep-alive connection idle this long. Default 120.
	HTTPIdleTimeoutS float64 `yaml:"http_idle_timeout_s"`
	// ShutdownGraceS is how long SIGTERM waits for in-flight HTTP requests
	// before closing what is left (CONTRACT §4: exit 0 within 10 s). Default 3.
	ShutdownGraceS float64 `yaml:"shutdown_grace_s"`
	// StorageMinFreeMB warns (metric, /readyz detail) when the storage dir's
	// file system has less free space. Default 512.
	StorageMinFreeMB int `yaml:"storage_min_free_mb"`
	// GreenPerKioskPerMin caps green-channel tickets per kiosk per minute. Default 6.
	GreenPerKioskPerMin int `yaml:"green_per_kiosk_per_min"`
	// AuthFailuresPerMin is how many failed device logins (MQTT CONNECT,
	// HTTP device or kiosk tokens) one address or one device id may make in
	// a minute before further attempts are refused for a minute. Default 10.
	AuthFailuresPerMin int `yaml:"auth_failures_per_min"`
}

func (l *Limits) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.HTTPMaxConns, 4096)
	def(&l.HTTPMaxConnsPerIP, 512)
	def(&l.FDReserve, 512)
	deff(&l.HTTPHeaderTimeoutS, 10)
	deff(&l.HTTPReadTimeoutS, 60)
	deff(&l.HTTPIdleTimeoutS, 120)
	deff(&l.ShutdownGraceS, 3)
	def(&l.StorageMinFreeMB, 512)
	def(&l.GreenPerKioskPerMin, 6)
	def(&l.AuthFailuresPerMin, 10)
}

func (l Limits) validate(file string) error {
	bad := func(key, format string, args ...any) error {
		return &Error{File: file, Key: "limits." + key, Problem: fmt.Sprintf(format, args...)}
	}
	for key, v := range map[string]int{"http_max_conns": l.HTTPMaxConns, "http_max_conns_per_ip": l.HTTPMaxConnsPerIP,
		"fd_reserve": l.FDReserve, "storage_min_free_mb": l.StorageMinFreeMB, "green_per_kiosk_per_min": l.GreenPerKioskPerMin,
		"auth_failures_per_min": l.AuthFailuresPerMin} {
		if v < 0 {
			return bad(key, "must not be negative (%d)", v)
		}
	}
	for key, v := range map[string]float64{"http_header_timeout_s": l.HTTPHeaderTimeoutS, "http_read_timeout_s": l.HTTPReadTimeoutS,
		"http_idle_timeout_s": l.HTTPIdleTimeoutS} {
		if v < 0 || v > 3600 {
			return bad(key, "must be 0-3600 seconds (%g)", v)
		}
	}
	if l.ShutdownGraceS < 0 || l.ShutdownGraceS > 8 {
		return bad("shutdown_grace_s", "must be 0-8 seconds: hallqd exits within 10 s of SIGTERM (%g)", l.ShutdownGraceS)
	}
	return nil
}
