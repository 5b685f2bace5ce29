package config

import "time"

// Firmware bounds firmware images and rollouts (CONTRACT §6, docs/firmware.md).
type Firmware struct {
	// MaxImageBytes is the largest image PUT accepts; 0 = 64 MiB.
	MaxImageBytes int64 `yaml:"max_image_bytes"`
	// DeviceTimeoutS is how long a device offered a version may take to report
	// it before it counts as failed, e.g. when it went offline mid-download;
	// 0 = 1800 s, -1 = never.
	DeviceTimeoutS int `yaml:"device_timeout_s"`
}

// Defaults of Firmware.
const (
	DefaultMaxImageBytes  = 64 << 20
	DefaultDeviceTimeoutS = 1800
	maxImageBytesLimit    = 1 << 30
)

// MaxImage is max_image_bytes with its default.
func (f Firmware) MaxImage() int64 {
	if f.MaxImageBytes == 0 {
		return DefaultMaxImageBytes
	}
	return f.MaxImageBytes
}

// DeviceTimeout is device_timeout_s with its default; 0 = never.
func (f Firmware) DeviceTimeout() time.Duration {
	switch {
	case f.DeviceTimeoutS == 0:
		return DefaultDeviceTimeoutS * time.Second
	case f.DeviceTimeoutS < 0:
		return 0
	}
	return time.Duration(f.DeviceTimeoutS) * time.Second
}

func (f Firmware) validate(bad func(key, format string, args ...any) error) error {
	if f.MaxImageBytes < 0 || f.MaxImageBytes > maxImageBytesLimit {
		return bad("firmware.max_image_bytes", "must be 1-%d bytes (0 = 64 MiB)", maxImageBytesLimit)
	}
	if f.DeviceTimeoutS < -1 || f.DeviceTimeoutS > 7*24*3600 {
		return bad("firmware.device_timeout_s", "must be -1 (never), 0 (1800 s) or 1-604800 seconds")
	}
	return nil
}
