package devices

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hallq/hallq/internal/testenv"
)

// TestMosquittoHash checks the built-in $7$ hash against mosquitto_passwd.
func TestMosquittoHash(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	testenv.MosquittoPasswd(t, file, "kiosk-01", "s3cret-kiosk-01 号")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(data))
	user, hash, _ := strings.Cut(line, ":")
	want(t, "user", user, "kiosk-01")
	parts := strings.Split(hash, "$") // "", "7", "101", salt, key
	if len(parts) != 5 || parts[1] != "7" {
		t.Fatalf("mosquitto_passwd wrote %q, want a $7$ hash", hash)
	}
	salt, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil {
		t.Fatal(err)
	}
	got, err := MosquittoHash("s3cret-kiosk-01 号", salt)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "hash", got, hash)
}

func TestMosquittoPasswordFile(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		pw, err := MosquittoPasswordFile([]Account{{"hallqd", "x"}, {"kiosk-01", "y"}}, bytes.NewReader(make([]byte, 24)))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(pw)), "\n")
		want(t, "lines", len(lines), 2)
		want(t, "second user", strings.SplitN(lines[1], ":", 2)[0], "kiosk-01")
	})
	t.Run("ErrBcryptSecret", func(t *testing.T) {
		_, err := MosquittoPasswordFile([]Account{{"kiosk-01", "$2a$10$abcdefghijklmnopqrstuv"}}, bytes.NewReader(make([]byte, 12)))
		if err == nil || !strings.Contains(err.Error(), "kiosk-01") {
			t.Errorf("err = %v, want a refusal naming the device", err)
		}
	})
}

func TestMosquittoACLFile(t *testing.T) {
	acl := string(MosquittoACLFile(NewTopics("demo"), "hallqd", []string{"kiosk-01"}))
	for _, line := range []string{
		"user hallqd", "topic read hallq/v1/demo/dev/+/req", "topic write hallq/v1/demo/dev/+/res", "topic write hallq/v1/demo/state/#",
		"topic write hallq/v1/demo/dev/+/config", "topic write hallq/v1/demo/dev/+/firmware", "topic write hallq/v1/demo/alerts/#",
		"user kiosk-01", "topic write hallq/v1/demo/dev/kiosk-01/req", "topic read hallq/v1/demo/dev/kiosk-01/cmd",
		"topic read hallq/v1/demo/state/#", "topic read hallq/v1/demo/announce",
	} {
		if !strings.Contains(acl, line+"\n") {
			t.Errorf("acl_file lacks %q:\n%s", line, acl)
		}
	}
}
