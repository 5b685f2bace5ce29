package main

import (
	"fmt"
	"path/filepath"

	firmwareconfig "github.com/hallq/hallq/firmware-config"
	"github.com/hallq/hallq/httpapi"
)

// firmwareAPI wires the firmware images under {storage.dir}/firmware and the
// rollout routes (CONTRACT §6).
func (m *Main) firmwareAPI(c *httpapi.Config) error {
	fw := m.Config.Firmware
	images, err := firmwareconfig.OpenImages(filepath.Join(m.Config.Storage.Dir, "firmware"), fw.MaxImage())
	if err != nil {
		return fmt.Errorf("storage.dir %s: %w", m.Config.Storage.Dir, err)
	}
	c.Firmware = httpapi.FirmwareConfig{Images: images, DeviceTimeout: fw.DeviceTimeout(), DesiredConfigVersion: m.Config.DeviceConfig.Version}
	return nil
}
