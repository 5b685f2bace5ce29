package mysql

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/rowsql"
)

// TestCityVisits writes a month of two halls into one database and checks
// the city-wide visits report against the halls' own reports (counts add
// up, counter keys name their hall) and the percentiles against the union of
// both halls' waits; then settles both halls' rollups and checks nothing
// changes.
func TestCityVisits(t *testing.T) {
	_, db, _ := mariaDB(t, "cityreports")
	ctx := context.Background()
	if err := Migrate(ctx, db, testLog(t)); err != nil {
		t.Fatal(err)
	}
	var srcs []*report.Source
	for _, id := range []string{"north", "south"} {
		sp := largeSpec()
		sp.HallID = id
		writeMonth(t, db, rowsql.MySQL, sp, 3000)
		if err := upsertCatalog(ctx, db, id, CatalogOf(sp), time.Now()); err != nil {
			t.Fatal(err)
		}
		s, err := report.CatalogSource(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	if ids, err := report.CityHalls(ctx, db, "all"); err != nil || strings.Join(ids, ",") != "north,south" {
		t.Fatalf("halls all = %v, %v", ids, err)
	}
	var qe *queue.Error
	if _, err := report.CityHalls(ctx, db, "north,east"); !errors.As(err, &qe) || qe.Code != queue.BadRequest {
		t.Fatalf("unknown hall: %v, want bad_request", err)
	}
	from, to := "2026-11-01", "2026-11-30"
	check := func(when string) string {
		days, err := report.CityVisits(ctx, srcs, from, to, "day")
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			issued := 0
			for _, s := range srcs {
				own, err := s.Visits(ctx, d.Key, d.Key, "day")
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range own {
					issued += r.Issued
				}
			}
			if d.Issued != issued {
				t.Errorf("%s: city %s issued %d, the halls %d", when, d.Key, d.Issued, issued)
			}
			var waits []int64
			rows, err := db.QueryContext(ctx, "SELECT wait_us FROM tickets WHERE day = ? AND wait_us IS NOT NULL ORDER BY wait_us", d.Key)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var w int64
				rows.Scan(&w)
				waits = append(waits, w)
			}
			rows.Close()
			p90 := math.Round(float64(waits[(9*len(waits)+9)/10-1])/1000) / 1000
			if d.WaitP90S == nil || *d.WaitP90S != p90 {
				t.Errorf("%s: city %s p90 %v, the union of waits %v", when, d.Key, d.WaitP90S, p90)
			}
		}
		ctrs, err := report.CityVisits(ctx, srcs, from, to, "counter")
		if err != nil {
			t.Fatal(err)
		}
		if len(ctrs) != 2*118 || ctrs[0].Key != "north/1" || ctrs[len(ctrs)-1].Key != "south/99" {
			t.Errorf("%s: %d counter rows from %q to %q; want 236, north/1 … south/99", when, len(ctrs), ctrs[0].Key, ctrs[len(ctrs)-1].Key)
		}
		b, _ := json.Marshal([]any{days, ctrs})
		return string(b)
	}
	before := check("from the tickets")
	for _, s := range srcs {
		days := 0
		for {
			n, err := s.Settle(ctx, db)
			if err != nil {
				t.Fatalf("settle %s: %v", s.Hall, err)
			}
			if days += n; n == 0 {
				break
			}
		}
		if days != 30 {
			t.Fatalf("settled %d days of %s, want 30", days, s.Hall)
		}
	}
	if after := check("from the rollups"); after != before {
		t.Errorf("city report changed once settled:\n%s\n%s", before, after)
	}
}
