package httpapi

import (
	"net/http"
	"time"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
	"github.com/hallq/hallq/staffing"
)

// alerts answers GET /api/v1/halls/{hall}/alerts: the alerts standing now,
// red first (CONTRACT §5; supervisor or admin).
func (s *Server) alerts(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, "supervisor"); !ok {
		return
	}
	al := s.h.View().Alerts
	if al == nil {
		al = []queue.Alert{}
	}
	writeOK(w, map[string]any{"alerts": al})
}

// SupervisorSession reports whether r carries the session cookie of a
// staff member with the role supervisor or admin.
func SupervisorSession(st *staff.Store, r *http.Request) bool {
	return SupervisorStatus(st, r) == http.StatusOK
}

// SupervisorStatus is what the websocket hub answers ?view=supervisor
// (CONTRACT §3): 200 for a supervisor's or admin's session, 401 without a
// valid session, 403 for a session of another role.
func SupervisorStatus(st *staff.Store, r *http.Request) int {
	c, err := r.Cookie(sessionCookie)
	if err != nil || st == nil {
		return http.StatusUnauthorized
	}
	sess, ok := st.Lookup(c.Value)
	switch {
	case !ok:
		return http.StatusUnauthorized
	case staff.RoleRank(sess.Account.Role) < staff.RoleRank("supervisor"):
		return http.StatusForbidden
	}
	return http.StatusOK
}

// staffing answers GET /api/v1/halls/{hall}/staffing: per service, the
// counters needed to meet its target wait at the current arrival rate
// (高峰应急, Erlang C; docs/supervision.md), for supervisors and admins.
func (s *Server) staffing(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, "supervisor"); !ok {
		return
	}
	var adv []staffing.Advice
	var today queue.DayStats
	now := time.Now()
	if err := s.h.Query(r.Context(), func(st *queue.State) { adv, today = staffing.FromState(st, now), st.Today }); err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法计算 cannot read the hall now: %v", err))
		return
	}
	writeOK(w, map[string]any{"at": now.In(s.h.Spec().Location).Format(time.RFC3339), "goal": staffing.Goal, "services": adv,
		"today": hall.TodayOf(today)})
}
