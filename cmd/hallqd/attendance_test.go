package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hallq/hallq/report"
)

// TestE2EAttendance checks GET …/reports/attendance of a running hallqd
// (issue 11): supervisors only, one row per staff member signed in today
// (still signed in: no sign-out), and the CSV with BOM and the field names.
func TestE2EAttendance(t *testing.T) {
	d := startE2E(t)
	day := reportDay(t, d) // s01…s04 open counters 1…4
	path := demoHall + "/reports/attendance?from=" + day + "&to=" + day

	wantStatus(t, "no session", d.call(t, nil, "GET", path, nil, ""), 401, "unauthorized")
	staffC, _ := d.login(t, "s01", "demo-s01")
	wantStatus(t, "staff role", d.call(t, staffC, "GET", path, nil, ""), 403, "forbidden")
	sup, _ := d.login(t, "super", "demo-super")
	wantStatus(t, "bad date", d.call(t, sup, "GET", demoHall+"/reports/attendance?from=2026-13-01&to="+day, nil, ""), 400, "bad_request")
	wantStatus(t, "reversed", d.call(t, sup, "GET", demoHall+"/reports/attendance?from="+day+"&to=2000-01-01", nil, ""), 400, "bad_request")

	r := d.call(t, sup, "GET", path, nil, "")
	if !r.OK {
		t.Fatalf("attendance: %v", r)
	}
	var res struct {
		Rows []report.AttendanceRow `json:"rows"`
	}
	if err := json.Unmarshal(r.Result, &res); err != nil || len(res.Rows) != 4 {
		t.Fatalf("attendance rows %s (%v), want 4", r.Result, err)
	}
	for i, row := range res.Rows {
		if row.Day != day || row.StaffID != fmt.Sprintf("s%02d", i+1) || row.Counters != fmt.Sprint(i+1) ||
			row.FirstSignIn == nil || row.LastSignOut != nil || row.Minutes < 0 {
			t.Errorf("row %d = %+v", i, row)
		}
	}
	status, body, hdr := getRaw(t, sup, d.base+path+"&format=csv")
	wantHead := strings.Join(report.AttendanceHeader, ",")
	if status != 200 || !strings.HasPrefix(string(body), "\uFEFF"+wantHead+"\n") || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Errorf("csv: HTTP %d %q, want a BOM and the header %q", status, body, wantHead)
	}
	if lines := strings.Count(string(body), "\n"); lines != 5 || !strings.Contains(string(body), "\ns03,") && !strings.Contains(string(body), ",s03,") {
		t.Errorf("csv has %d lines, want 5 with s03:\n%s", lines, body)
	}
	status, body, _ = getRaw(t, sup, d.base+path+"&format=xlsx")
	if status != 200 || !strings.HasPrefix(string(body), "PK") {
		t.Errorf("xlsx: HTTP %d", status)
	}
}
