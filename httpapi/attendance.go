package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/hallq/hallq/report"
)

// attendanceReport is GET …/reports/attendance?from&to: per staff per day,
// first sign-in, last sign-out, minutes at counters, counters worked and
// handovers (issue 11, docs/http-api.md); supervisor or admin.
func (s *Server) attendanceReport(w http.ResponseWriter, r *http.Request) {
	s.rangeReport(w, r, "attendance", func(ctx context.Context, src *report.Source, from, to string) (any, func() *report.Table, error) {
		rows, err := src.Attendance(ctx, from, to, time.Now())
		return map[string]any{"rows": rows}, func() *report.Table { return report.AttendanceTable(rows) }, err
	})
}
