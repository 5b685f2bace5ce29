package queue

import (
	"sort"
	"time"
)

// KioskToken is a kiosk page's token (docs/robustness.md "Kiosk page
// pairing"): issued by an admin for one kiosk device, revocable, and not the
// device's MQTT secret. The state keeps only its SHA-256.
type KioskToken struct {
	ID        string    `json:"id"`
	Device    string    `json:"device"`
	Hash      string    `json:"hash"` // hex SHA-256 of the token
	IssuedAt  time.Time `json:"issued_at"`
	IssuedBy  string    `json:"issued_by,omitempty"`
	Revoked   bool      `json:"revoked,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitempty"`
}

// IssueKioskToken pairs a kiosk page with a new token; the caller makes the
// token and passes its hash.
type IssueKioskToken struct {
	TokenID   string
	Device    string
	TokenHash string
	By        string
}

// RevokeKioskToken ends a kiosk page token.
type RevokeKioskToken struct {
	TokenID string
	By      string
}

func (IssueKioskToken) command()  {}
func (RevokeKioskToken) command() {}

// KioskTokenView is a token as admins list it, without its hash.
type KioskTokenView struct {
	ID        string     `json:"token_id"`
	Device    string     `json:"device"`
	IssuedAt  time.Time  `json:"issued_at"`
	IssuedBy  string     `json:"issued_by"`
	Revoked   bool       `json:"revoked"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// View is the token as admins see it.
func (t KioskToken) View() KioskTokenView {
	v := KioskTokenView{ID: t.ID, Device: t.Device, IssuedAt: t.IssuedAt, IssuedBy: t.IssuedBy, Revoked: t.Revoked}
	if t.Revoked {
		at := t.RevokedAt
		v.RevokedAt = &at
	}
	return v
}

// KioskTokenDevice returns the kiosk a live token (by its hash) pairs.
func (s *State) KioskTokenDevice(hash string) (string, bool) {
	for _, t := range s.KioskTokens {
		if t.Hash == hash && !t.Revoked {
			return t.Device, true
		}
	}
	return "", false
}

// KioskTokenList is every token, oldest first.
func (s *State) KioskTokenList() []KioskTokenView {
	out := make([]KioskTokenView, 0, len(s.KioskTokens))
	for _, t := range s.KioskTokens {
		out = append(out, t.View())
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].IssuedAt.Before(out[j].IssuedAt) || out[i].IssuedAt.Equal(out[j].IssuedAt) && out[i].ID < out[j].ID
	})
	return out
}

func decideIssueKioskToken(s *State, now time.Time, c IssueKioskToken) Outcome {
	d := s.Spec.Devices[c.Device]
	switch {
	case d == nil:
		return refuse(BadRequest, "没有此设备 unknown device %q", c.Device)
	case d.Kind != "kiosk" && d.Kind != "rater": // the kiosk page and the tablet rater page (/rate/{counter})
		return refuse(BadRequest, "只有取号机或评价器可配对页面 %s is a %s, not a kiosk or rater", c.Device, d.Kind)
	case c.TokenID == "" || len(c.TokenHash) != 64:
		return refuse(BadRequest, "令牌无效 bad token")
	case s.KioskTokens[c.TokenID] != nil:
		return refuse(InvalidState, "令牌已存在 token %s exists", c.TokenID)
	}
	if _, dup := s.KioskTokenDevice(c.TokenHash); dup {
		return refuse(InvalidState, "令牌已存在 this token is already issued")
	}
	ev := Event{Kind: EvKioskTokenIssued, At: now, Device: c.Device, TokenID: c.TokenID, TokenHash: c.TokenHash, StaffID: c.By}
	id := c.TokenID
	return Outcome{Events: []Event{ev}, Result: func(s *State) any { return s.KioskTokens[id].View() }}
}

func decideRevokeKioskToken(s *State, now time.Time, c RevokeKioskToken) Outcome {
	t := s.KioskTokens[c.TokenID]
	if t == nil {
		return refuse(BadRequest, "没有此令牌 unknown token %q", c.TokenID)
	}
	id := c.TokenID
	result := func(s *State) any { return s.KioskTokens[id].View() }
	if t.Revoked {
		return Outcome{Result: result} // already revoked: nothing changes
	}
	ev := Event{Kind: EvKioskTokenRevoked, At: now, Device: t.Device, TokenID: t.ID, StaffID: c.By}
	return Outcome{Events: []Event{ev}, Result: result}
}

// applyKioskToken applies the kiosk token events.
func applyKioskToken(s *State, e *Event) {
	if s.KioskTokens == nil {
		s.KioskTokens = map[string]*KioskToken{}
	}
	switch e.Kind {
	case EvKioskTokenIssued:
		s.KioskTokens[e.TokenID] = &KioskToken{ID: e.TokenID, Device: e.Device, Hash: e.TokenHash, IssuedAt: e.At, IssuedBy: e.StaffID}
	case EvKioskTokenRevoked:
		if t := s.KioskTokens[e.TokenID]; t != nil {
			t.Revoked, t.RevokedAt = true, e.At
		}
	}
}
