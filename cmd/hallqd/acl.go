package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/devices"
)

func init() { subcommands["acl"] = runACL }

// runACL writes a Mosquitto password_file and acl_file for the hall's
// devices and for hallqd itself, for use with broker.url (CONTRACT §2
// security: for an external broker the project generates the ACL file).
func runACL(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("hallqd acl", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "hall config file (YAML); none = the demo hall")
	out := fs.String("out", "", "directory to write password_file and acl_file to")
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if *out == "" || fs.NArg() > 0 {
		return &usageError{"usage: hallqd acl [--config FILE] --out DIR"}
	}
	cfg := config.Demo()
	if *cfgPath != "" {
		c, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		cfg = c
	}
	user := cfg.Broker.Username
	if user == "" {
		user = devices.DefaultUsername
	}
	if cfg.Broker.Password == "" {
		return &config.Error{File: cfg.File, Key: "broker.password", Problem: "is required: it is hallqd's own password on the external broker"}
	}
	accounts := []devices.Account{{User: user, Secret: cfg.Broker.Password}}
	var ids, alarms []string
	for _, d := range cfg.Devices {
		if d.ID == user {
			return &config.Error{File: cfg.File, Key: "broker.username", Problem: fmt.Sprintf("%q is also a device id", user)}
		}
		if d.Secret == "" {
			fmt.Fprintf(os.Stderr, "hallqd acl: device %s has no secret in the config; it gets no password and cannot connect\n", d.ID)
			continue
		}
		accounts = append(accounts, devices.Account{User: d.ID, Secret: d.Secret})
		ids = append(ids, d.ID)
		if d.Kind == devices.AlarmKind {
			alarms = append(alarms, d.ID)
		}
	}
	pw, err := devices.MosquittoPasswordFile(accounts, rand.Reader)
	if err != nil {
		return fmt.Errorf("password_file: %w", err)
	}
	acl := devices.MosquittoACLFile(devices.NewTopics(cfg.Hall.ID), user, ids, alarms...)
	if err := os.MkdirAll(*out, 0o750); err != nil {
		return fmt.Errorf("create %s: %w", *out, err)
	}
	pwPath, aclPath := filepath.Join(*out, "password_file"), filepath.Join(*out, "acl_file")
	confPath := filepath.Join(*out, "hallq-mosquitto.conf")
	if err := os.WriteFile(pwPath, pw, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", pwPath, err)
	}
	if err := os.WriteFile(aclPath, acl, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", aclPath, err)
	}
	absPW, _ := filepath.Abs(pwPath)
	absACL, _ := filepath.Abs(aclPath)
	conf := devices.MosquittoConf(absPW, absACL)
	if err := os.WriteFile(confPath, conf, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", confPath, err)
	}
	fmt.Printf("wrote %s (%d users), %s and %s\nadd to mosquitto.conf (for each listener devices use), or include %s:\n%s",
		pwPath, len(accounts), aclPath, confPath, confPath, conf)
	return nil
}
