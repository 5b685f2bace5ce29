package httpapi

import (
	"net/http"
	"time"

	"github.com/hallq/hallq/report"
)

// attendanceReport is GET …/reports/attendance?from&to: per staff per day,
// first sign-in, last sign-out, minutes at counters, counters worked and
// handovers (issue 11, docs/http-api.md); supervisor or admin.
func (s *Server) attendanceReport(w http.ResponseWriter, r *http.Request) {
	src, ok := s.reportSource(w, r)
	if !ok {
		return
	}
	from, to, err := dateRange(r)
	if err != nil {
		writeReportErr(w, err)
		return
	}
	rows, err := src.Attendance(r.Context(), from, to, time.Now())
	if err != nil {
		writeReportErr(w, err)
		return
	}
	writeTable(w, r, "attendance-"+from+"-"+to, map[string]any{"rows": rows},
		func() *report.Table { return report.AttendanceTable(rows) })
}
