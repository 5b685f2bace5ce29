package httpapi

import (
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/hallq/hallq/devauth"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

// sessionCookie names the staff session cookie.
const sessionCookie = "hallq_session"

// principal is who a request acts for: a staff session or a device token.
type principal struct {
	id         string
	role       string // staff role; "" for devices
	deviceKind string // device kind; "" for staff
	counter    string // the counter signed in to, or the device's counter
	token      string // session token
}

// authenticate finds the principal of r. Mutating requests with a session
// must carry the session's CSRF token.
func (s *Server) authenticate(r *http.Request) (principal, *queue.Error) {
	if h := r.Header.Get("Authorization"); h != "" {
		cred, ok := strings.CutPrefix(h, "Bearer ")
		id, secret, ok2 := strings.Cut(cred, ":")
		if !ok || !ok2 {
			return principal{}, queue.Errorf(codeUnauthorized, "认证格式错误 Authorization must be Bearer device:secret")
		}
		if d, ok := s.pageToken(r, id, secret); ok { // a kiosk or rater page's own token (docs/robustness.md)
			return principal{id: id, deviceKind: d.Kind, counter: d.Counter}, nil
		}
		d, err := s.cfg.Devices.CheckFrom(id, secret, clientIP(r))
		if errors.Is(err, devauth.ErrLimited) { // docs/robustness.md: failed logins limited per address and device
			return principal{}, &queue.Error{Code: codeRateLimited, RetryAfterMS: 60_000,
				Message: "认证失败次数过多，请稍后再试 too many failed device logins; wait a minute"}
		}
		if err != nil {
			return principal{}, queue.Errorf(codeUnauthorized, "设备认证失败 unknown device or wrong secret")
		}
		return principal{id: d.ID, deviceKind: d.Kind, counter: d.Counter}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return principal{}, queue.Errorf(codeUnauthorized, "请先登录 log in first")
	}
	sess, ok := s.cfg.Staff.Lookup(c.Value)
	if !ok {
		return principal{}, queue.Errorf(codeUnauthorized, "登录已过期 session expired; log in again")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !staff.CheckCSRF(sess, r.Header.Get("X-CSRF-Token")) {
		return principal{}, queue.Errorf(queue.Forbidden, "CSRF 校验失败 missing or wrong X-CSRF-Token")
	}
	return principal{id: sess.Account.ID, role: sess.Account.Role, counter: sess.Counter, token: sess.Token}, nil
}

// requireRole authenticates r and checks the staff role is at least role.
func (s *Server) requireRole(w http.ResponseWriter, r *http.Request, role string) (principal, bool) {
	p, qe := s.authenticate(r)
	if qe != nil {
		writeErr(w, qe)
		return p, false
	}
	if staff.RoleRank(p.role) < staff.RoleRank(role) {
		writeErr(w, queue.Errorf(queue.Forbidden, "权限不足 needs role %s", role))
		return p, false
	}
	return p, true
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type loginReq struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginReq
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	if req.Username == "" || len(req.Username) > 64 || len(req.Password) > 256 {
		writeErr(w, queue.Errorf(queue.BadRequest, "请输入用户名和密码 username and password are required"))
		return
	}
	sess, err := s.cfg.Staff.Login(req.Username, req.Password, clientIP(r))
	switch err {
	case nil:
	case staff.ErrRateLimited:
		s.cfg.Log.Warn().Str("user", req.Username).Str("from", clientIP(r)).Msg("login rate limited")
		writeErr(w, queue.Errorf(codeRateLimited, "登录失败次数过多，请稍后再试 %v", err))
		return
	default:
		s.cfg.Log.Info().Str("user", req.Username).Str("from", clientIP(r)).Msg("login failed")
		writeErr(w, queue.Errorf(codeUnauthorized, "用户名或密码错误 %v", err))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: sess.Expires})
	s.cfg.Log.Info().Str("user", sess.Account.ID).Str("role", sess.Account.Role).Msg("staff logged in")
	writeOK(w, map[string]any{"user": sess.Account, "csrf_token": sess.CSRF})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p, qe := s.authenticate(r)
	if qe != nil {
		writeErr(w, qe)
		return
	}
	s.cfg.Staff.Logout(p.token)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1})
	writeOK(w, map[string]any{})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		writeErr(w, queue.Errorf(codeUnauthorized, "请先登录 log in first"))
		return
	}
	sess, ok := s.cfg.Staff.Lookup(c.Value)
	if !ok {
		writeErr(w, queue.Errorf(codeUnauthorized, "登录已过期 session expired"))
		return
	}
	var counter *string
	if sess.Counter != "" {
		counter = &sess.Counter
	}
	writeOK(w, map[string]any{"user": sess.Account, "csrf_token": sess.CSRF, "counter": counter})
}
