package devauth

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestCheck(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("hashed-secret"), bcrypt.MinCost)
	c := New([]Cred{
		{ID: "kiosk-01", Kind: "kiosk", Secret: "plain-secret"},
		{ID: "caller-12", Kind: "caller", Counter: "12", Secret: string(hash)},
		{ID: "led-12", Kind: "counter_display", Counter: "12"}, // no secret configured
	})
	t.Run("OK", func(t *testing.T) {
		if d, ok := c.Check("kiosk-01", "plain-secret"); !ok || d.Kind != "kiosk" {
			t.Fatalf("plain secret refused: %+v", d)
		}
		if d, ok := c.Check("caller-12", "hashed-secret"); !ok || d.Counter != "12" {
			t.Fatalf("bcrypt secret refused: %+v", d)
		}
	})
	for name, cred := range map[string][2]string{
		"ErrWrongSecret":      {"kiosk-01", "plain-secreT"},
		"ErrEmptySecret":      {"kiosk-01", ""},
		"ErrWrongHashed":      {"caller-12", "nope"},
		"ErrHashAsSecret":     {"caller-12", string(hash)},
		"ErrUnknownDevice":    {"kiosk-99", "plain-secret"},
		"ErrOtherDeviceToken": {"caller-12", "plain-secret"},
		"ErrNoSecretEmpty":    {"led-12", ""},
		"ErrNoSecretAny":      {"led-12", "x"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, ok := c.Check(cred[0], cred[1]); ok {
				t.Fatalf("Check(%q, %q) accepted", cred[0], cred[1])
			}
		})
	}
}
