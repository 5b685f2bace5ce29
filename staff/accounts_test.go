package staff

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newStore(t *testing.T) (*Store, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	hash, err := HashPassword("pw-super")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStore([]Entry{
		{ID: "s01", Name: "张敏", Role: RoleStaff, Password: "pw-s01"},
		{ID: "super", Name: "主任", Role: RoleSupervisor, PasswordHash: hash},
	}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func TestLogin(t *testing.T) {
	s, clock := newStore(t)
	t.Run("OK", func(t *testing.T) {
		sess, err := s.Login("super", "pw-super", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := s.Lookup(sess.Token)
		if !ok || got.Account.Role != RoleSupervisor {
			t.Fatalf("lookup = %+v %v", got, ok)
		}
		if !CheckCSRF(got, sess.CSRF) || CheckCSRF(got, "") || CheckCSRF(got, sess.Token) {
			t.Fatal("CSRF check accepts the wrong token or refuses the right one")
		}
		s.SignIn(sess.Token, "12")
		if got, _ := s.Lookup(sess.Token); got.Counter != "12" {
			t.Fatalf("counter = %q after sign-in", got.Counter)
		}
		s.Logout(sess.Token)
		if _, ok := s.Lookup(sess.Token); ok {
			t.Fatal("session alive after logout")
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		sess, _ := s.Login("s01", "pw-s01", "10.0.0.2")
		clock.Add(13 * time.Hour)
		if _, ok := s.Lookup(sess.Token); ok {
			t.Fatal("session alive after 13 h")
		}
	})
	t.Run("ErrBadLogin", func(t *testing.T) {
		if _, err := s.Login("nobody", "x", "10.0.0.3"); err != ErrBadLogin {
			t.Fatalf("unknown user: %v", err)
		}
	})
	t.Run("ErrRateLimited", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			if _, err := s.Login("s01", "wrong", "10.0.0.4"); err != ErrBadLogin {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, err := s.Login("s01", "pw-s01", "10.0.0.4"); err != ErrRateLimited {
			t.Fatalf("right password after 5 failures: %v, want rate limited", err)
		}
		clock.Add(61 * time.Second)
		if _, err := s.Login("s01", "pw-s01", "10.0.0.4"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestRoleRank(t *testing.T) {
	if !(RoleRank(RoleStaff) < RoleRank(RoleSupervisor) && RoleRank(RoleSupervisor) < RoleRank(RoleAdmin) && RoleRank("guest") == 0) {
		t.Fatal("roles are not ordered staff < supervisor < admin")
	}
}

func TestNewStoreRefusesABadHash(t *testing.T) {
	if _, err := NewStore([]Entry{{ID: "x", Role: RoleStaff, PasswordHash: "not-bcrypt"}}, time.Now); err == nil {
		t.Fatal("a password_hash that is not bcrypt was accepted")
	}
}
