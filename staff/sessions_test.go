package staff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoginLimitPerUserAndAddress: five wrong passwords for one user lock
// that user at that address only; colleagues behind the same NAT address log
// in, and so does the same user from another console address.
func TestLoginLimitPerUserAndAddress(t *testing.T) {
	s, _ := newStore(t)
	for i := 0; i < 5; i++ {
		if _, err := s.Login("s01", "wrong", "10.0.0.9"); err != ErrBadLogin {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := s.Login("s01", "pw-s01", "10.0.0.9"); err != ErrRateLimited {
		t.Fatalf("s01 at the same address: %v, want rate limited", err)
	}
	if _, err := s.Login("super", "pw-super", "10.0.0.9"); err != nil {
		t.Fatalf("another user at the same address: %v", err)
	}
	if _, err := s.Login("s01", "pw-s01", "10.0.0.10"); err != nil {
		t.Fatalf("s01 from another address: %v", err)
	}
}

// TestLoginLimitPerAddress: spraying many user names from one address is
// still stopped.
func TestLoginLimitPerAddress(t *testing.T) {
	s, _ := newStore(t)
	for i := 0; i < perAddress; i++ {
		s.Login("guess"+string(rune('a'+i%26))+string(rune('a'+i/26)), "x", "10.0.0.7")
	}
	if _, err := s.Login("super", "pw-super", "10.0.0.7"); err != ErrRateLimited {
		t.Fatalf("after %d failures from one address: %v, want rate limited", perAddress, err)
	}
}

// TestSessionsSurviveRestart: a second store on the same file (hallqd
// restarted) knows the session, its counter, CSRF token and expiry; the file
// holds no session token.
func TestSessionsSurviveRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sessions.json")
	a, clock := newStore(t)
	if err := a.PersistTo(file, func(err error) { t.Error(err) }); err != nil {
		t.Fatal(err)
	}
	sess, err := a.Login("s01", "pw-s01", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	a.SignIn(sess.Token, "3")
	gone, _ := a.Login("super", "pw-super", "10.0.0.1")
	a.Logout(gone.Token)
	raw, _ := os.ReadFile(file)
	if strings.Contains(string(raw), sess.Token) {
		t.Fatal("the sessions file holds a session token")
	}

	b, _ := newStore(t)
	b.clock = clock.Now
	if err := b.PersistTo(file, func(err error) { t.Error(err) }); err != nil {
		t.Fatal(err)
	}
	got, ok := b.Lookup(sess.Token)
	if !ok {
		t.Fatal("session lost across the restart")
	}
	if got.Counter != "3" || !CheckCSRF(got, sess.CSRF) || !got.Expires.Equal(sess.Expires) || got.Account.ID != "s01" || got.Token != sess.Token {
		t.Fatalf("restored session = %+v", got)
	}
	if _, ok := b.Lookup(gone.Token); ok {
		t.Fatal("a logged-out session came back")
	}
	clock.Add(13 * time.Hour)
	if _, ok := b.Lookup(sess.Token); ok {
		t.Fatal("expiry not kept across the restart")
	}
}

// TestSessionsFileDamaged: a damaged file starts the store without sessions.
func TestSessionsFileDamaged(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sessions.json")
	os.WriteFile(file, []byte("{not json"), 0o600)
	s, _ := newStore(t)
	var warned error
	if err := s.PersistTo(file, func(err error) { warned = err }); err != nil || warned == nil {
		t.Fatalf("PersistTo = %v, warning %v", err, warned)
	}
}
