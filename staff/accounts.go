// Package staff keeps staff accounts, login sessions with CSRF tokens, and
// the login rate limit of the web console.
package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles, each allowed what the one before it is.
const (
	RoleStaff      = "staff"
	RoleSupervisor = "supervisor"
	RoleAdmin      = "admin"
)

// RoleRank orders roles: staff < supervisor < admin.
func RoleRank(role string) int {
	switch role {
	case RoleStaff:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Account is one staff member who can log in.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	hash []byte
}

// Session is a logged-in staff member.
type Session struct {
	Token   string
	CSRF    string
	Account Account
	Counter string // the counter signed in to, if any
	Expires time.Time
}

// Store holds accounts and sessions.
type Store struct {
	accounts map[string]*Account
	ttl      time.Duration
	clock    func() time.Time
	limiter  *limiter
	dummy    []byte

	mu       sync.Mutex
	sessions map[string]*stored // by tokenKey, never by the token itself
	file     string             // where sessions persist; "" = memory only
	saveErr  func(error)
}

// NewStore makes a store; each entry is id, name, role and either a bcrypt
// hash or (demo configs) a plain password that is hashed here.
func NewStore(entries []Entry, clock func() time.Time) (*Store, error) {
	s := &Store{accounts: map[string]*Account{}, ttl: 12 * time.Hour, clock: clock,
		limiter: newLimiter(time.Minute, clock), sessions: map[string]*stored{}}
	for _, e := range entries {
		hash := []byte(e.PasswordHash)
		if e.PasswordHash == "" {
			h, err := bcrypt.GenerateFromPassword([]byte(e.Password), bcrypt.MinCost+2)
			if err != nil {
				return nil, fmt.Errorf("hash password of %s: %w", e.ID, err)
			}
			hash = h
		} else if _, err := bcrypt.Cost(hash); err != nil {
			return nil, fmt.Errorf("staff %s: password_hash is not a bcrypt hash: %w", e.ID, err)
		}
		s.accounts[e.ID] = &Account{ID: e.ID, Name: e.Name, Role: e.Role, hash: hash}
	}
	s.dummy, _ = bcrypt.GenerateFromPassword([]byte("timing-equaliser"), bcrypt.MinCost+2)
	return s, nil
}

// Entry is an account as configured.
type Entry struct {
	ID, Name, Role, PasswordHash, Password string
}

// HashPassword returns a bcrypt hash for a config file's password_hash.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// ErrRateLimited is returned when too many logins failed recently.
var ErrRateLimited = fmt.Errorf("too many failed logins; wait a minute")

// ErrBadLogin is returned for an unknown user or a wrong password.
var ErrBadLogin = fmt.Errorf("wrong user name or password")

// Login checks a password and opens a session. from identifies the client
// (its IP) for rate limiting.
func (s *Store) Login(id, password, from string) (*Session, error) {
	// Per user and address: a hall's consoles share one address behind NAT,
	// and one clerk's typos must not lock out the others. Looser limits per
	// address and per user bound password spraying and distributed guessing.
	userAt := id + "@" + from
	if !s.limiter.allow(userAt, perUserAt) || !s.limiter.allow("ip:"+from, perAddress) || !s.limiter.allow("user:"+id, perUser) {
		return nil, ErrRateLimited
	}
	a := s.accounts[id]
	hash := s.dummy
	if a != nil {
		hash = a.hash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || a == nil {
		s.limiter.fail(userAt)
		s.limiter.fail("ip:" + from)
		s.limiter.fail("user:" + id)
		return nil, ErrBadLogin
	}
	s.limiter.reset(userAt)
	sess := &Session{Token: randomToken(), CSRF: randomToken(), Account: *a, Expires: s.clock().Add(s.ttl)}
	s.mu.Lock()
	s.sessions[tokenKey(sess.Token)] = &stored{Session: *sess}
	s.saveLocked()
	s.mu.Unlock()
	return sess, nil
}

// Lookup finds a live session by token; it returns a copy.
func (s *Store) Lookup(token string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := tokenKey(token)
	sess, ok := s.sessions[k]
	if !ok {
		return Session{}, false
	}
	if s.clock().After(sess.Expires) {
		delete(s.sessions, k)
		s.saveLocked()
		return Session{}, false
	}
	out := sess.Session
	out.Token = token
	return out, true
}

// SignIn records the counter a session works at.
func (s *Store) SignIn(token, counter string) {
	s.mu.Lock()
	if sess, ok := s.sessions[tokenKey(token)]; ok {
		sess.Counter = counter
		s.saveLocked()
	}
	s.mu.Unlock()
}

// Logout ends a session.
func (s *Store) Logout(token string) {
	s.mu.Lock()
	delete(s.sessions, tokenKey(token))
	s.saveLocked()
	s.mu.Unlock()
}

// CheckCSRF compares a request's CSRF header with the session's token.
func CheckCSRF(sess Session, header string) bool {
	return header != "" && subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(header)) == 1
}

// Name returns a staff member's display name, or the id if unknown.
func (s *Store) Name(id string) string {
	if a := s.accounts[id]; a != nil {
		return a.Name
	}
	return id
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
