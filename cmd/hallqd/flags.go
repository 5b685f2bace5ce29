package main

import "github.com/hallq/hallq/config"

// overrideListen applies --http, --mqtt and --data over the config, so that
// the demo hall moves off 8080/1883 and ./data without a config file.
func overrideListen(cfg *config.Config, httpAddr, mqttAddr, dataDir string) {
	if httpAddr != "" {
		cfg.Listen.HTTP = httpAddr
	}
	if mqttAddr != "" {
		cfg.Listen.MQTT = mqttAddr
	}
	if dataDir != "" {
		cfg.Storage.Dir = dataDir
	}
}
