package display

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// ServeHTTP upgrades GET /ws/v1/halls/{hall}[?since=S] to a screen's
// websocket (CONTRACT §3). The handler returns once the screen's goroutines
// run, so the HTTP server's buffers for the request are freed.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("hall") != h.hall {
		http.Error(w, "unknown hall 没有此大厅", http.StatusNotFound)
		return
	}
	since := parseSince(r.URL.Query().Get("since"))
	supervisor := false
	switch view := r.URL.Query().Get("view"); view {
	case "", "public":
	case "supervisor": // CONTRACT §3: a supervisor's session, else 401 (403 for another role)
		status := http.StatusUnauthorized
		if h.cfg.Supervisor != nil {
			status = h.cfg.Supervisor(r)
		}
		switch status {
		case http.StatusOK:
		case http.StatusForbidden:
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "权限不足 forbidden: the supervisor view needs the role supervisor or admin", http.StatusForbidden)
			return
		default:
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "请先以监督员身份登录 unauthorized: the supervisor view needs a supervisor's session", http.StatusUnauthorized)
			return
		}
		supervisor = true
	default:
		http.Error(w, "未知视图 bad_request: unknown view "+strconv.Quote(view), http.StatusBadRequest)
		return
	}
	cw := &corkingWriter{ResponseWriter: w, pool: h.corkPool}
	conn, err := h.up.Upgrade(cw, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := newClient(conn, cw.conn, r.RemoteAddr, h.cfg.SendBuffer)
	c.supervisor = supervisor
	st, err := h.join(c, since)
	if err != nil {
		msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "hallqd is stopping")
		conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		conn.Close()
		return
	}
	go h.read(c)
	go h.write(c, st)
}

// parseSince reads ?since=; -1 when it is absent or not a seq (CONTRACT §3:
// a bad since gets a fresh snapshot).
func parseSince(s string) int64 {
	if s == "" {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
