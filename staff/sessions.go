package staff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// stored is a session as the store keeps it; the token itself is not kept,
// only its hash (the map key), so the sessions file opens no session.
type stored struct {
	Session
}

// sessionRecord is one session in the sessions file.
type sessionRecord struct {
	Key     string    `json:"key"` // SHA-256 of the session token
	CSRF    string    `json:"csrf"`
	User    string    `json:"user"`
	Counter string    `json:"counter,omitempty"`
	Expires time.Time `json:"expires"`
}

// tokenKey is the hash a session is filed under.
func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// PersistTo keeps the sessions in file (e.g. storage.dir/sessions.json) so
// that staff stay logged in across restarts of hallqd. It loads the live
// sessions the file holds, for accounts that still exist (with their current
// role and name), and writes the file on every change; onErr hears of writes
// that failed (the sessions still work in memory).
func (s *Store) PersistTo(file string, onErr func(error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.file, s.saveErr = file, onErr
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read sessions: %w", err)
	}
	var recs []sessionRecord
	if err := json.Unmarshal(b, &recs); err != nil {
		// A damaged file costs the staff one login, not the hall its start.
		if onErr != nil {
			onErr(fmt.Errorf("sessions file %s unreadable, starting without sessions: %w", file, err))
		}
		return nil
	}
	now := s.clock()
	for _, r := range recs {
		a := s.accounts[r.User]
		if a == nil || now.After(r.Expires) || len(r.Key) != 64 {
			continue
		}
		s.sessions[r.Key] = &stored{Session{CSRF: r.CSRF, Account: *a, Counter: r.Counter, Expires: r.Expires}}
	}
	return nil
}

// saveLocked writes the live sessions to the file, atomically (s.mu held).
func (s *Store) saveLocked() {
	if s.file == "" {
		return
	}
	now := s.clock()
	recs := make([]sessionRecord, 0, len(s.sessions))
	for k, v := range s.sessions {
		if now.After(v.Expires) {
			delete(s.sessions, k)
			continue
		}
		recs = append(recs, sessionRecord{Key: k, CSRF: v.CSRF, User: v.Account.ID, Counter: v.Counter, Expires: v.Expires})
	}
	if err := writeFileSync(s.file, recs); err != nil && s.saveErr != nil {
		s.saveErr(fmt.Errorf("save sessions: %w", err))
	}
}

// writeFileSync writes v as JSON to file through a synced temporary file.
func writeFileSync(file string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".sessions-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
