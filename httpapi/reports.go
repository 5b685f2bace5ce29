package httpapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/rowsql"
	"github.com/hallq/hallq/staff"
)

// Reports are where the management reports read: the local store and,
// when MySQL is configured, MySQL (CONTRACT §5 reports, sampling).
type Reports struct {
	Local *report.Source
	MySQL *report.Source // nil without mysql_dsn
}

// reportRoutes adds the report endpoints (CONTRACT §5) under hallPath.
func (s *Server) reportRoutes(hallPath string) {
	if s.cfg.Reports == nil {
		return
	}
	s.mux.HandleFunc("GET "+hallPath+"/reports/visits", s.inHall(s.visitsReport))
	s.mux.HandleFunc("GET "+hallPath+"/reports/counters", s.inHall(s.countersReport))
	s.mux.HandleFunc("GET "+hallPath+"/reports/rankings", s.inHall(s.rankingsReport))
	s.mux.HandleFunc("GET "+hallPath+"/sampling", s.inHall(s.sampling))
	s.mux.HandleFunc("GET "+hallPath+"/reports/cases", s.inHall(s.caseRatesReport))
	s.mux.HandleFunc("GET "+hallPath+"/reports/dims", s.inHall(s.dimsReport))
	s.mux.HandleFunc("GET "+hallPath+"/reports/attendance", s.inHall(s.attendanceReport))
}

// reportSource authorises a report request (supervisor or admin, CONTRACT
// §5) and picks its source: ?source=mysql reads MySQL, else the local store.
func (s *Server) reportSource(w http.ResponseWriter, r *http.Request) (*report.Source, bool) {
	if _, ok := s.requireRole(w, r, staff.RoleSupervisor); !ok {
		return nil, false
	}
	switch r.URL.Query().Get("source") {
	case "", "local":
		return s.cfg.Reports.Local, true
	case "mysql":
		if s.cfg.Reports.MySQL == nil {
			writeErr(w, queue.Errorf(queue.Unavailable, "未配置 MySQL mysql_dsn is not configured"))
			return nil, false
		}
		return s.cfg.Reports.MySQL, true
	}
	writeErr(w, queue.Errorf(queue.BadRequest, "数据源无效 source must be local or mysql"))
	return nil, false
}

// writeReportErr writes a report error with its contract code.
func writeReportErr(w http.ResponseWriter, err error) {
	var qe *queue.Error
	if !errors.As(err, &qe) {
		qe = queue.Errorf(queue.Unavailable, "报表暂不可用 report unavailable: %v", err)
	}
	writeErr(w, qe)
}

// writeTable answers a report as JSON (result), CSV or XLSX (?format=).
func writeTable(w http.ResponseWriter, r *http.Request, name string, result any, table func() *report.Table) {
	var buf bytes.Buffer
	switch r.URL.Query().Get("format") {
	case "", "json":
		writeOK(w, result)
		return
	case "csv":
		if err := table().WriteCSV(&buf); err != nil {
			writeReportErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	case "xlsx":
		if err := table().WriteXLSX(&buf); err != nil {
			writeReportErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	default:
		writeErr(w, queue.Errorf(queue.BadRequest, "格式无效 format must be json, csv or xlsx"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// dateRange reads from and to (both required, YYYY-MM-DD).
func dateRange(r *http.Request) (string, string, error) {
	from, err := report.ParseDate("from", r.URL.Query().Get("from"))
	if err != nil {
		return "", "", err
	}
	to, err := report.ParseDate("to", r.URL.Query().Get("to"))
	if err != nil {
		return "", "", err
	}
	return from, to, nil
}

// visitsReport is GET …/reports/visits (CONTRACT §5 reports).
func (s *Server) visitsReport(w http.ResponseWriter, r *http.Request) {
	src, ok := s.reportSource(w, r)
	if !ok {
		return
	}
	from, to, err := dateRange(r)
	if err != nil {
		writeReportErr(w, err)
		return
	}
	by := r.URL.Query().Get("by")
	name := "visits-" + by + "-" + from + "-" + to
	var rows []report.VisitsRow
	if halls := r.URL.Query().Get("halls"); halls != "" {
		rows, err = cityVisits(r.Context(), src, halls, from, to, by)
		name = "city-" + name
	} else {
		rows, err = src.Visits(r.Context(), from, to, by)
	}
	if err != nil {
		writeReportErr(w, err)
		return
	}
	writeTable(w, r, name, map[string]any{"rows": rows},
		func() *report.Table { return report.VisitsTable(rows) })
}

// cityVisits is the visits report over the halls of ?halls= (docs/reports.md
// "City-wide"): only MySQL holds other halls' rows.
func cityVisits(ctx context.Context, src *report.Source, halls, from, to, by string) ([]report.VisitsRow, error) {
	if src.Dialect != rowsql.MySQL {
		return nil, queue.Errorf(queue.BadRequest, "多大厅报表需 source=mysql halls needs source=mysql")
	}
	ids, err := report.CityHalls(ctx, src.DB, halls)
	if err != nil {
		return nil, err
	}
	srcs := make([]*report.Source, 0, len(ids))
	for _, id := range ids {
		hs, err := report.CatalogSource(ctx, src.DB, id)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, hs)
	}
	return report.CityVisits(ctx, srcs, from, to, by)
}

// sampling is GET …/sampling (CONTRACT §5 sampling).
func (s *Server) sampling(w http.ResponseWriter, r *http.Request) {
	src, ok := s.reportSource(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	seed, err := strconv.ParseUint(q.Get("seed"), 10, 64)
	if err != nil {
		writeErr(w, queue.Errorf(queue.BadRequest, "种子无效 seed must be a non-negative integer"))
		return
	}
	month := q.Get("month")
	cs, err := src.Sampling(r.Context(), month, seed)
	if err != nil {
		writeReportErr(w, err)
		return
	}
	writeTable(w, r, "sampling-"+month+"-"+q.Get("seed"), map[string]any{"counters": cs},
		func() *report.Table { return report.SamplingTable(cs) })
}

// countersReport is GET …/reports/counters: open, paused, busy and idle time.
func (s *Server) countersReport(w http.ResponseWriter, r *http.Request) {
	s.rangeReport(w, r, "counters", func(ctx context.Context, src *report.Source, from, to string) (any, func() *report.Table, error) {
		rows, err := src.Counters(ctx, from, to, time.Now())
		return map[string]any{"rows": rows}, func() *report.Table { return report.CountersTable(rows) }, err
	})
}

// rankingsReport is GET …/reports/rankings?period=YYYY-MM|YYYY-Qn&by=counter|staff.
func (s *Server) rankingsReport(w http.ResponseWriter, r *http.Request) {
	src, ok := s.reportSource(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	rk, err := src.Rankings(r.Context(), q.Get("period"), q.Get("by"))
	if err != nil {
		writeReportErr(w, err)
		return
	}
	writeTable(w, r, "rankings-"+rk.By+"-"+rk.Period, rk, func() *report.Table { return report.RankingsTable(rk) })
}

// caseRatesReport is GET …/reports/cases: 差评回复率, 回访整改率, 回访整改满意率.
func (s *Server) caseRatesReport(w http.ResponseWriter, r *http.Request) {
	s.rangeReport(w, r, "cases", func(ctx context.Context, src *report.Source, from, to string) (any, func() *report.Table, error) {
		c, err := src.CaseRates(ctx, from, to)
		return c, func() *report.Table {
			return &report.Table{Sheet: "cases", Header: []string{"cases", "replied", "dismissed", "rectified", "callbacks",
				"callback_satisfied", "open", "reply_rate", "rectify_rate", "rectify_satisfied_rate"},
				Rows: [][]any{{c.Cases, c.Replied, c.Dismissed, c.Rectified, c.Callbacks, c.CallbackSatisfied, c.Open,
					ptr(c.ReplyRate), ptr(c.RectifyRate), ptr(c.RectifySatisfiedRate)}}}
		}, err
	})
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// dimsReport is GET …/reports/dims: satisfaction by rating dimension.
func (s *Server) dimsReport(w http.ResponseWriter, r *http.Request) {
	s.rangeReport(w, r, "dims", func(ctx context.Context, src *report.Source, from, to string) (any, func() *report.Table, error) {
		rows, err := src.Dims(ctx, from, to)
		return map[string]any{"rows": rows}, func() *report.Table { return report.DimsTable(rows) }, err
	})
}

// rangeReport serves a report over ?from&to for supervisors: run's result as
// JSON, or its table as CSV or XLSX named name-from-to.
func (s *Server) rangeReport(w http.ResponseWriter, r *http.Request, name string,
	run func(ctx context.Context, src *report.Source, from, to string) (any, func() *report.Table, error)) {
	src, ok := s.reportSource(w, r)
	if !ok {
		return
	}
	from, to, err := dateRange(r)
	if err != nil {
		writeReportErr(w, err)
		return
	}
	body, table, err := run(r.Context(), src, from, to)
	if err != nil {
		writeReportErr(w, err)
		return
	}
	writeTable(w, r, name+"-"+from+"-"+to, body, table)
}
