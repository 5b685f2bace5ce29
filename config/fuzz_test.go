package config

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary bytes as a config file: it must never panic, and
// every refusal must be a *Error naming the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("hall: {id: x}"))
	f.Add([]byte("services: [{id: a, prefix: A}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yaml", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "f.yaml" {
				t.Fatalf("error %v is not a *config.Error naming the file", err)
			}
			return
		}
		c.Spec() // a valid config always makes a spec
	})
}
