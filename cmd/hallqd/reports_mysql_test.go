package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// TestE2EReportsFromMySQL: a hallqd with storage.mysql_dsn answers the
// visits report from MySQL (?source=mysql) as from its own store, and the
// city-wide report over the halls in MySQL (?halls=all); an unknown hall, or
// halls without source=mysql, is bad_request.
func TestE2EReportsFromMySQL(t *testing.T) {
	dsn := testenv.StartMariaDB(t).NewDatabase(t, "reports_e2e")
	d := startE2EWith(t, func(cfg *config.Config) { cfg.Storage.MySQLDSN = dsn })
	day := reportDay(t, d)
	waitReplicated(t, d.m, dsn)
	sup, _ := d.login(t, "super", "demo-super")
	visits := demoHall + "/reports/visits?from=" + day + "&to=" + day + "&by=counter"
	get := func(what, url string) string {
		t.Helper()
		r := d.call(t, sup, "GET", url, nil, "")
		if !r.OK {
			t.Fatalf("%s: %v", what, r)
		}
		return string(r.Result)
	}
	local := get("local", visits)
	if remote := get("mysql", visits+"&source=mysql"); remote != local {
		t.Fatalf("the visits report from MySQL differs from the local one:\n%s\n%s", remote, local)
	}

	var city struct {
		Rows []struct {
			Key    string `json:"key"`
			Issued int    `json:"issued"`
		} `json:"rows"`
	}
	json.Unmarshal([]byte(get("city", visits+"&source=mysql&halls=all")), &city)
	var own struct {
		Rows []struct {
			Key    string `json:"key"`
			Issued int    `json:"issued"`
		} `json:"rows"`
	}
	json.Unmarshal([]byte(local), &own)
	if len(city.Rows) == 0 || len(city.Rows) != len(own.Rows) {
		t.Fatalf("city rows %v, the hall's %v", city.Rows, own.Rows)
	}
	for i, r := range city.Rows {
		if r.Key != "demo/"+own.Rows[i].Key || r.Issued != own.Rows[i].Issued {
			t.Errorf("city row %d = %+v, want the hall's %+v keyed demo/", i, r, own.Rows[i])
		}
	}
	wantStatus(t, "unknown hall", d.call(t, sup, "GET", visits+"&source=mysql&halls=demo,nowhere", nil, ""), 400, "bad_request")
	wantStatus(t, "halls from the local store", d.call(t, sup, "GET", visits+"&halls=all", nil, ""), 400, "bad_request")
}

// TestBrowserReportsCityWide: the report page with source MySQL and halls
// "all" shows the city-wide rows (counter keys demo/…) and links the CSV of
// the same report.
func TestBrowserReportsCityWide(t *testing.T) {
	dsn := testenv.StartMariaDB(t).NewDatabase(t, "reports_page")
	d := startE2EWith(t, func(cfg *config.Config) { cfg.Storage.MySQLDSN = dsn })
	day := reportDay(t, d)
	waitReplicated(t, d.m, dsn)
	browser := testenv.StartChromium(t)
	tab := openTab(t, browser, "reports", d.base+"/reports?by=counter&source=mysql&halls=all&from="+day+"&to="+day, 1600, 1400, false)
	tab.until("login form", `!document.querySelector('[data-testid="reports-login"]').hidden`)
	tab.do(chromedp.SendKeys(testid("login-user"), "super"), chromedp.SendKeys(testid("login-pass"), "demo-super"))
	tab.click("login-submit")
	tab.until("report drawn", `document.body.dataset.ready === '1'`)
	if !evalIn[bool](tab, `!document.querySelector('[data-testid="report-halls-label"]').hidden`) {
		t.Error("the halls field is hidden with source MySQL")
	}
	first := evalIn[string](tab, `document.querySelector('[data-testid="report-table"] tbody tr td').textContent`)
	if !strings.HasPrefix(first, "demo/") {
		t.Errorf("first row key %q, want a city-wide key demo/…", first)
	}
	href := evalIn[string](tab, `document.querySelector('[data-testid="download-csv"]').href`)
	if !strings.Contains(href, "source=mysql") || !strings.Contains(href, "halls=all") || !strings.Contains(href, "format=csv") {
		t.Errorf("CSV link %s is not the city-wide report", href)
	}
	tab.checkConsole()
}
