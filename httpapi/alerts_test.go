package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAlertsAndStaffingNeedASupervisor: GET …/alerts and …/staffing answer a
// supervisor; no session is 401, a staff session 403 (CONTRACT §5).
func TestAlertsAndStaffingNeedASupervisor(t *testing.T) {
	a := newTestAPI(t)
	staffC, _ := a.login(t, "s01", "pw1")
	superC, _ := a.login(t, "super", "pw2")
	for _, path := range []string{"/api/v1/halls/t/alerts", "/api/v1/halls/t/staffing"} {
		t.Run(path, func(t *testing.T) {
			if r := a.call(t, http.DefaultClient, "GET", path, nil, ""); r.status != 401 || r.code() != "unauthorized" {
				t.Errorf("no session = %d %s", r.status, r.code())
			}
			if r := a.call(t, staffC, "GET", path, nil, ""); r.status != 403 || r.code() != "forbidden" {
				t.Errorf("staff = %d %s", r.status, r.code())
			}
			r := a.call(t, superC, "GET", path, nil, "")
			if !r.OK {
				t.Fatalf("supervisor = %d %+v", r.status, r.Error)
			}
			var res map[string]json.RawMessage
			json.Unmarshal(r.Result, &res)
			if strings.HasSuffix(path, "alerts") && string(res["alerts"]) != "[]" {
				t.Errorf("alerts = %s", r.Result)
			}
			if strings.HasSuffix(path, "staffing") && !strings.Contains(string(res["services"]), `"service":"social"`) {
				t.Errorf("staffing = %s", r.Result)
			}
		})
	}
	t.Run("SnapshotStaysPublic", func(t *testing.T) {
		resp, err := superC.Get(a.base + "/api/v1/halls/t/snapshot")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var snap struct {
			State map[string]json.RawMessage `json:"state"`
		}
		json.NewDecoder(resp.Body).Decode(&snap)
		if _, ok := snap.State["alerts"]; ok || snap.State["counters"] == nil {
			t.Fatalf("snapshot state keys: %v", snap.State)
		}
	})
	t.Run("SupervisorSession", func(t *testing.T) {
		for _, tc := range []struct {
			c    *http.Client
			want bool
		}{{http.DefaultClient, false}, {staffC, false}, {superC, true}} {
			req := httptest.NewRequest("GET", a.base+"/ws/v1/halls/t?view=supervisor", nil)
			for _, ck := range jarCookies(tc.c, a.base) {
				req.AddCookie(ck)
			}
			if got := SupervisorSession(a.staff, req); got != tc.want {
				t.Errorf("SupervisorSession = %v, want %v", got, tc.want)
			}
		}
	})
}

func jarCookies(c *http.Client, base string) []*http.Cookie {
	if c.Jar == nil {
		return nil
	}
	req, _ := http.NewRequest("GET", base, nil)
	return c.Jar.Cookies(req.URL)
}
