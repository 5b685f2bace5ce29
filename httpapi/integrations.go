package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

// Integration is an outside system allowed to call parts of the API with a
// token instead of a staff session: a city booking website or a WeChat mini
// program booking appointments (docs/appointments.md). It sends
// "Authorization: Bearer {id}:{token}"; hallq keeps only SHA-256 hashes of
// tokens, and accepts every listed one so a token can be rotated.
type Integration struct {
	ID     string
	Hashes [][32]byte
	Roles  []string
}

// RoleAppointments lets an integration book, look up and cancel appointments.
const RoleAppointments = "appointments"

// integration finds the integration a Bearer credential names, if any; ok is
// false when id is not an integration (it may be a device).
func (s *Server) integration(id, token string) (in *Integration, good, ok bool) {
	for i := range s.cfg.Integrations {
		in := &s.cfg.Integrations[i]
		if in.ID != id {
			continue
		}
		sum := sha256.Sum256([]byte(token))
		match := 0
		for _, h := range in.Hashes {
			match |= subtle.ConstantTimeCompare(sum[:], h[:])
		}
		return in, match == 1, true
	}
	return nil, false, false
}

func (in *Integration) has(role string) bool {
	for _, r := range in.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// requireBooker admits an integration holding the appointments role, or a
// supervisor or admin session (CONTRACT §5).
func (s *Server) requireBooker(w http.ResponseWriter, r *http.Request) (principal, bool) {
	if cred, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		id, token, _ := strings.Cut(cred, ":")
		if in, good, isInt := s.integration(id, token); isInt {
			if !good {
				writeErr(w, queue.Errorf(codeUnauthorized, "接入令牌错误 wrong token for integration %q", id))
				return principal{}, false
			}
			if !in.has(RoleAppointments) {
				writeErr(w, queue.Errorf(queue.Forbidden, "此接入方无预约权限 integration %q lacks the appointments role", id))
				return principal{}, false
			}
			return principal{id: "integration:" + in.ID}, true
		}
	}
	p, qe := s.authenticate(r)
	if qe != nil {
		writeErr(w, qe)
		return p, false
	}
	if p.deviceKind != "" || staff.RoleRank(p.role) < staff.RoleRank(staff.RoleSupervisor) {
		writeErr(w, queue.Errorf(queue.Forbidden, "权限不足 booking needs an integration token or the role supervisor"))
		return p, false
	}
	return p, true
}
