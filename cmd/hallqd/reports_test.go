package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/rowsql"
)

// reportDay serves and rates a few visits on d's hall through the writer
// and waits until the report rows (the projector) have them all; it returns
// today's date in the hall.
func reportDay(t *testing.T, d *e2eDaemon) string {
	t.Helper()
	h := d.m.Hall
	do := func(cmd queue.Command) {
		t.Helper()
		if rep := h.Do(context.Background(), hall.Request{Source: "test", Cmd: cmd}); !rep.OK {
			t.Fatalf("%T: %v", cmd, rep.Error)
		}
	}
	services := []string{"general", "social", "social", "medical", "general", "social"}
	for i := 0; i < 24; i++ {
		do(queue.TakeTicket{Service: services[i%len(services)]})
	}
	for c := 1; c <= 4; c++ {
		do(queue.OpenCounter{Counter: fmt.Sprint(c), StaffID: fmt.Sprintf("s%02d", c)})
	}
	levels := []int{5, 4, 5, 3, 2, 5, 4, 1, 5, 4}
	n := 0
	for round := 0; round < 4; round++ {
		for c := 1; c <= 4; c++ {
			ctr := fmt.Sprint(c)
			if rep := h.Do(context.Background(), hall.Request{Source: "test", Cmd: queue.CallNext{Counter: ctr}}); !rep.OK {
				continue // queue_empty for this counter's services
			}
			do(queue.Finish{Counter: ctr})
			lvl := levels[n%len(levels)]
			n++
			do(queue.SubmitRating{Counter: ctr, Level: lvl, Dims: map[string]int{"attitude": lvl, "efficiency": max(1, lvl-1)}})
		}
	}
	if n == 0 {
		t.Fatal("no visit was served")
	}
	day := d.m.Config.Spec().BusinessDay(time.Now())
	src := report.NewSource(d.m.Journal.DB(), rowsql.SQLite, d.m.Config.Spec())
	testenv.Eventually(t, 30*time.Second, func() bool {
		rows, err := src.Visits(context.Background(), day, day, "day")
		return err == nil && len(rows) == 1 && rows[0].Issued == 24 && rows[0].Rated == n
	}, "the report rows did not catch up with the journal")
	return day
}

// getRaw is a GET with c's cookies; it returns the status and body.
func getRaw(t *testing.T, c *http.Client, url string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// TestE2EReports checks the report API of a running hallqd (CONTRACT §5):
// who may read it, the JSON rows, CSV with BOM and XLSX with the field
// names as header, and bad input.
func TestE2EReports(t *testing.T) {
	d := startE2E(t)
	day := reportDay(t, d)
	visits := demoHall + "/reports/visits?from=" + day + "&to=" + day + "&by=service"

	wantStatus(t, "no session", d.call(t, nil, "GET", visits, nil, ""), 401, "unauthorized")
	staffC, _ := d.login(t, "s01", "demo-s01")
	wantStatus(t, "staff role", d.call(t, staffC, "GET", visits, nil, ""), 403, "forbidden")
	sup, _ := d.login(t, "super", "demo-super")
	wantStatus(t, "bad by", d.call(t, sup, "GET", strings.Replace(visits, "by=service", "by=window", 1), nil, ""), 400, "bad_request")
	wantStatus(t, "bad date", d.call(t, sup, "GET", demoHall+"/reports/visits?from=2026-13-01&to="+day+"&by=day", nil, ""), 400, "bad_request")
	wantStatus(t, "bad month", d.call(t, sup, "GET", demoHall+"/sampling?month=2026-1&seed=1", nil, ""), 400, "bad_request")
	wantStatus(t, "bad seed", d.call(t, sup, "GET", demoHall+"/sampling?month=2026-11&seed=x", nil, ""), 400, "bad_request")

	r := d.call(t, sup, "GET", visits, nil, "")
	if !r.OK {
		t.Fatalf("visits: %v", r)
	}
	var res struct {
		Rows []map[string]any `json:"rows"`
	}
	json.Unmarshal(r.Result, &res)
	issued := 0.0
	for _, row := range res.Rows {
		for _, f := range report.VisitsHeader {
			if _, ok := row[f]; !ok {
				t.Errorf("row %v lacks %s", row["key"], f)
			}
		}
		issued += row["issued"].(float64)
	}
	if issued != 24 {
		t.Errorf("issued over the services = %v, want 24", issued)
	}

	status, body, hdr := getRaw(t, sup, d.base+visits+"&format=csv")
	wantHead := strings.Join(report.VisitsHeader, ",")
	if status != 200 || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF"+wantHead+"\n")) || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Errorf("csv: HTTP %d %q…, want a BOM and the header %q", status, body[:min(len(body), 80)], wantHead)
	}
	if lines := strings.Count(string(body), "\n"); lines != len(res.Rows)+1 {
		t.Errorf("csv has %d lines, want %d", lines, len(res.Rows)+1)
	}
	status, body, _ = getRaw(t, sup, d.base+visits+"&format=xlsx")
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if status != 200 || err != nil {
		t.Fatalf("xlsx: HTTP %d, %v", status, err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil || len(rows) != len(res.Rows)+1 || strings.Join(rows[0], ",") != wantHead {
		t.Errorf("xlsx rows = %d (%v), header %v; want %d and %s", len(rows), err, rows[:min(1, len(rows))], len(res.Rows)+1, wantHead)
	}

	month := day[:7]
	r = d.call(t, sup, "GET", demoHall+"/sampling?month="+month+"&seed=7", nil, "")
	r2 := d.call(t, sup, "GET", demoHall+"/sampling?month="+month+"&seed=7", nil, "")
	if !r.OK || string(r.Result) != string(r2.Result) || !strings.Contains(string(r.Result), `"sample_size"`) {
		t.Errorf("sampling not the same twice or empty:\n%s\n%s", r.Result, r2.Result)
	}
	for _, path := range []string{"/reports/counters?from=" + day + "&to=" + day, "/reports/rankings?period=" + month + "&by=counter",
		"/reports/cases?from=" + day + "&to=" + day, "/reports/dims?from=" + day + "&to=" + day} {
		if r := d.call(t, sup, "GET", demoHall+path, nil, ""); !r.OK {
			t.Errorf("%s: %v", path, r)
		}
	}
}

// TestBrowserReports opens the report page as a supervisor in Chromium:
// it signs in, draws the four charts (canvas with pixels), fills the table,
// and its CSV and XLSX links download the report. Screenshot: reports.png.
func TestBrowserReports(t *testing.T) {
	d := startE2E(t)
	reportDay(t, d)
	browser := testenv.StartChromium(t)
	shots := t.TempDir()
	if dir := os.Getenv("HALLQ_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tab := openTab(t, browser, "reports", d.base+"/reports", 1600, 1400, false)
	tab.until("login form", `!document.querySelector('[data-testid="reports-login"]').hidden`)
	tab.do(chromedp.SendKeys(testid("login-user"), "super"), chromedp.SendKeys(testid("login-pass"), "demo-super"))
	tab.click("login-submit")
	tab.until("report drawn", `document.body.dataset.ready === '1'`)
	for _, c := range []string{"hourly", "service-level", "levels", "dims"} {
		tab.until("chart "+c+" rendered", jsAttr("chart-"+c, "rendered")+` === '1'`)
		painted := evalIn[bool](tab, `(() => {
			const cv = document.querySelector('[data-testid="chart-`+c+`"] canvas');
			if (!cv || cv.width === 0 || cv.height === 0) return false;
			const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
			for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
			return false;
		})()`)
		if !painted {
			t.Errorf("chart %s: no canvas or nothing painted", c)
		}
	}
	if n := evalIn[int](tab, `document.querySelectorAll('[data-testid="report-table"] tbody tr').length`); n == 0 {
		t.Error("the report table is empty")
	}
	// Case kinds (issue 13) in the visits table, attendance (issue 11) below it.
	if !evalIn[bool](tab, `!!document.querySelector('[data-testid="report-table"] thead th[title="promised_past_rate"]')`) {
		t.Error("the visits table lacks the case-kind columns")
	}
	if n := evalIn[int](tab, `document.querySelectorAll('[data-testid="attendance-table"] tbody tr').length`); n != 4 {
		t.Errorf("the attendance table has %d rows, want 4 (s01…s04)", n)
	}
	tab.until("rankings shown", `document.querySelectorAll('[data-testid="rank-table"] thead th').length === 9`)
	// The download links fetch the report with the page's session.
	for _, link := range []struct{ id, magic string }{{"download-csv", "\uFEFFkey,issued"}, {"download-xlsx", "PK"}, {"rank-csv", "\uFEFFrank,key"}, {"sampling-xlsx", "PK"},
		{"attendance-csv", "\uFEFFday,staff_id"}} {
		got := evalAwait(tab, `(async () => {
			const a = document.querySelector('[data-testid="`+link.id+`"]');
			const res = await fetch(a.href, {credentials: 'same-origin'});
			if (!res.ok) return 'HTTP ' + res.status;
			const b = new Uint8Array(await res.arrayBuffer());
			return new TextDecoder('utf-8', {ignoreBOM: true}).decode(b.slice(0, 16));
		})()`)
		if !strings.HasPrefix(got, link.magic) {
			t.Errorf("%s downloads %q…, want %q…", link.id, got, link.magic)
		}
	}
	tab.shot(shots, "reports.png")
}

// evalAwait returns the string a JavaScript promise resolves to.
func evalAwait(b *browserTab, expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %s: %v", b.name, expr, err)
	}
	return v
}
