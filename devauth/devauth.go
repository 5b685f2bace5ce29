// Package devauth checks device credentials (CONTRACT §2 security): each
// device has its own id and secret, stored plain or as a bcrypt hash.
package devauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Device is what a checked credential identifies.
type Device struct {
	ID      string
	Kind    string
	Counter string
}

type entry struct {
	Device
	plain  [32]byte // sha256 of a plain secret, compared in constant time
	bcrypt []byte
	none   bool // configured without a secret: it can never log in
}

// Checker holds the configured devices' credentials.
type Checker struct {
	devices map[string]*entry
	limit   *Limiter // nil = failures are not limited
}

// ErrLimited is CheckFrom's answer to an address or device id with too many
// recent failures; the secret was not checked.
var ErrLimited = errors.New("too many failed logins; wait a minute")

// ErrBadCredentials is CheckFrom's answer to an unknown device or a wrong secret.
var ErrBadCredentials = errors.New("unknown device or wrong secret")

// Limit makes CheckFrom limit failed logins with l (set before use).
func (c *Checker) Limit(l *Limiter) { c.limit = l }

// CheckFrom is Check for a login from addr (an IP address), limited per
// address and per device id (see Limiter).
func (c *Checker) CheckFrom(id, secret, addr string) (Device, error) {
	if !c.limit.allow(id, addr) {
		return Device{}, ErrLimited
	}
	d, ok := c.Check(id, secret)
	if !ok {
		c.limit.failed(id, addr)
		return Device{}, ErrBadCredentials
	}
	return d, nil
}

// Cred is a device as configured.
type Cred struct {
	ID, Kind, Counter, Secret string
}

// New builds a checker.
func New(creds []Cred) *Checker {
	c := &Checker{devices: map[string]*entry{}}
	for _, d := range creds {
		e := &entry{Device: Device{ID: d.ID, Kind: d.Kind, Counter: d.Counter}}
		if d.Secret == "" {
			e.none = true
		} else if strings.HasPrefix(d.Secret, "$2a$") || strings.HasPrefix(d.Secret, "$2b$") || strings.HasPrefix(d.Secret, "$2y$") {
			e.bcrypt = []byte(d.Secret)
		} else {
			e.plain = sha256.Sum256([]byte(d.Secret))
		}
		c.devices[d.ID] = e
	}
	return c
}

// Check returns the device if id is known and secret is its secret.
func (c *Checker) Check(id, secret string) (Device, bool) {
	e := c.devices[id]
	if e == nil || e.none {
		return Device{}, false
	}
	if e.bcrypt != nil {
		if bcrypt.CompareHashAndPassword(e.bcrypt, []byte(secret)) != nil {
			return Device{}, false
		}
		return e.Device, true
	}
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], e.plain[:]) != 1 {
		return Device{}, false
	}
	return e.Device, true
}

// Lookup returns a configured device without checking a secret.
func (c *Checker) Lookup(id string) (Device, bool) {
	e := c.devices[id]
	if e == nil {
		return Device{}, false
	}
	return e.Device, true
}
