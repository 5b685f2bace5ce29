package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

// Kiosk page pairing (docs/robustness.md, docs/http-api.md): an admin issues
// a kiosk page its own token, which the page sends as
// "Authorization: Bearer {device}:{token}" instead of the device's MQTT
// secret. Only the token's SHA-256 is journalled; the token is shown once.

// TokenHash is the hex SHA-256 a kiosk page token is kept as.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// pageToken reports whether token is a live page token of kiosk device.
func (s *Server) pageToken(r *http.Request, device, token string) (*queue.DeviceSpec, bool) {
	if len(token) < 16 || len(token) > 128 {
		return nil, false
	}
	hash := TokenHash(token)
	found := false
	if err := s.h.Query(r.Context(), func(st *queue.State) {
		d, ok := st.KioskTokenDevice(hash)
		found = ok && d == device
	}); err != nil || !found {
		return nil, false
	}
	d := s.h.Spec().Devices[device]
	return d, d != nil
}

// NewKioskToken makes a random page token and its id.
func NewKioskToken() (id, token string, err error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	var i [6]byte
	if _, err := rand.Read(i[:]); err != nil {
		return "", "", err
	}
	return "kt-" + hex.EncodeToString(i[:]), "kp-" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func (s *Server) issueKioskToken(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleAdmin)
	if !ok {
		return
	}
	var req struct {
		Device string `json:"device"`
	}
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	id, token, err := NewKioskToken()
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "无法生成令牌 cannot make a token: %v", err))
		return
	}
	rep := s.run(r, p, queue.IssueKioskToken{TokenID: id, Device: req.Device, TokenHash: TokenHash(token), By: p.id})
	if rep.Error != nil {
		writeReply(w, rep)
		return
	}
	if rep.Repeat { // the token of a repeated Idempotency-Key was shown once already
		writeErr(w, queue.Errorf(queue.InvalidState, "令牌只显示一次 the token was shown when it was issued; issue another"))
		return
	}
	page := "/kiosk"
	if d := s.h.Spec().Devices[req.Device]; d != nil && d.Kind == "rater" {
		page = "/rate/" + url.PathEscape(d.Counter) // the tablet rater page of its counter
	}
	kioskURL := s.cfg.BaseURL + page + "#device=" + url.QueryEscape(req.Device) + "&token=" + url.QueryEscape(token)
	writeOK(w, map[string]any{"token_id": id, "device": req.Device, "token": token, "kiosk_url": kioskURL})
}

func (s *Server) listKioskTokens(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleAdmin); !ok {
		return
	}
	var list []queue.KioskTokenView
	if err := s.h.Query(r.Context(), func(st *queue.State) { list = st.KioskTokenList() }); err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	writeOK(w, map[string]any{"tokens": list})
}

func (s *Server) revokeKioskToken(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleAdmin)
	if !ok {
		return
	}
	s.do(w, r, p, queue.RevokeKioskToken{TokenID: r.PathValue("token"), By: p.id})
}
