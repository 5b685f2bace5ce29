package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/rowsql"
	"github.com/hallq/hallq/store"
)

// TestReportsSameFromSQLiteAndMySQL replays one simulated day of a real hall
// into the local SQLite report rows (store.Projector) and into MySQL (the
// replicator), with the evaluation events other parts add (未评价, 差评
// cases and their steps, staff sign-ins), and checks that every report
// answers the same from either side (docs/reports.md).
func TestReportsSameFromSQLiteAndMySQL(t *testing.T) {
	noLeaks(t)
	_, db, dsn := mariaDB(t, "parity")
	th := openHall(t, t.TempDir(), newSpec("north"), newFakeClock())
	d := startDay(t, th, busyDayTickets()/5, 3)
	d.wait(t)
	th.Hall.Close() // the journal stays open: the evaluation events follow
	appendEvaluation(t, th)

	r := newReplicator(t, th, dsn, nil)
	if err := r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.NewProjector(th.J, th.Spec.HallID).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Both stores hold exactly the rows of one fold of the whole journal.
	want := NewProjection()
	if err := th.J.Replay(0, func(e *queue.Event) error { want.Apply(e); return nil }); err != nil {
		t.Fatal(err)
	}
	for name, sdb := range map[string]*sql.DB{"sqlite": th.J.DB(), "mysql": db} {
		got := readTickets(t, sdb, th.Spec.HallID)
		if len(got) != len(want.Tickets) {
			t.Errorf("%s has %d tickets, the fold %d", name, len(got), len(want.Tickets))
		}
		for id, w := range want.Tickets {
			if g := got[id]; g == nil || !reflect.DeepEqual(*normTicket(g), *normTicket(w)) {
				t.Errorf("%s ticket %s:\nstore %+v\nfold  %+v", name, id, g, w)
			}
		}
		visits := readVisits(t, sdb, th.Spec.HallID)
		for seq, w := range want.Visits {
			if g := visits[seq]; g == nil || !reflect.DeepEqual(*normVisit(g), *normVisit(w)) {
				t.Errorf("%s call %d:\nstore %+v\nfold  %+v", name, seq, g, w)
			}
		}
		var cases, signins int
		sdb.QueryRow("SELECT COUNT(*) FROM cases WHERE hall = ?", th.Spec.HallID).Scan(&cases)
		sdb.QueryRow("SELECT COUNT(*) FROM staff_signins WHERE hall = ?", th.Spec.HallID).Scan(&signins)
		if cases != len(want.Cases) || signins != len(want.Signins) {
			t.Errorf("%s: %d cases, %d sign-ins; the fold %d, %d", name, cases, signins, len(want.Cases), len(want.Signins))
		}
	}

	local, remote := report.NewSource(th.J.DB(), rowsql.SQLite, th.Spec), report.NewSource(db, rowsql.MySQL, th.Spec)
	ctx := context.Background()
	same := func(name string, fn func(*report.Source) (any, error)) string {
		t.Helper()
		a, err := fn(local)
		if err != nil {
			t.Fatalf("%s from sqlite: %v", name, err)
		}
		b, err := fn(remote)
		if err != nil {
			t.Fatalf("%s from mysql: %v", name, err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s differs:\nsqlite %s\nmysql  %s", name, ja, jb)
		}
		return string(ja)
	}
	day := "2026-11-23"
	var byService []report.VisitsRow
	fromTickets := map[string]string{}
	for _, by := range []string{"service", "counter", "staff", "day", "hour"} {
		out := same("visits by "+by, func(s *report.Source) (any, error) { return s.Visits(ctx, day, day, by) })
		fromTickets[by] = out
		if by == "service" {
			json.Unmarshal([]byte(out), &byService)
		}
	}
	// The closed day's rollups, settled on either side, give the same rows.
	for _, side := range []struct {
		src *report.Source
		w   rowsql.Execer
	}{{local, th.J.WriteDB()}, {remote, db}} {
		if n, err := side.src.Settle(ctx, side.w); err != nil || n != 1 {
			t.Fatalf("%s settled %d days, %v; want the one day", side.src.Dialect, n, err)
		}
	}
	for _, by := range []string{"service", "counter", "staff", "day", "hour"} {
		out := same("visits by "+by+" from rollups", func(s *report.Source) (any, error) { return s.Visits(ctx, day, day, by) })
		if out != fromTickets[by] {
			t.Errorf("visits by %s from rollups:\n%s\nfrom tickets:\n%s", by, out, fromTickets[by])
		}
	}
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	same("counters", func(s *report.Source) (any, error) { return s.Counters(ctx, day, day, now) })
	same("sampling", func(s *report.Source) (any, error) { return s.Sampling(ctx, "2026-11", 42) })
	same("rankings by counter", func(s *report.Source) (any, error) { return s.Rankings(ctx, "2026-11", "counter") })
	same("rankings by staff", func(s *report.Source) (any, error) { return s.Rankings(ctx, "2026-Q4", "staff") })
	same("case rates", func(s *report.Source) (any, error) { return s.CaseRates(ctx, day, day) })
	att := same("attendance", func(s *report.Source) (any, error) { return s.Attendance(ctx, day, day, now) })
	if !strings.Contains(att, `"handovers_in":1`) || !strings.Contains(att, `"handovers_out":1`) || !strings.Contains(att, `"last_sign_out":"`) {
		t.Errorf("attendance lacks the day's handover or sign-outs: %s", att)
	}

	// The rows hold what the day did: every ticket once, the unrated and
	// rated counted, rates as the rules define them.
	tickets := map[string]bool{}
	th.J.Replay(0, func(e *queue.Event) error {
		if e.Kind == queue.EvTicketIssued {
			tickets[e.TicketID] = true
		}
		return nil
	})
	var issued, unrated, rated, kinds, promised int
	for _, r := range byService {
		issued += r.Issued
		kinds += r.CaseInstant + r.CaseJoint + r.CaseReferred
		promised += r.CasePromised
		if r.CasePromised > 0 && (r.PromisedPastRate == nil || *r.PromisedPastRate != 1) {
			t.Errorf("%s promised_past_rate = %v, want 1 (promised for the day, long past)", r.Key, r.PromisedPastRate)
		}
		unrated += r.Unrated
		rated += r.Rated
		if r.Rated > 0 {
			if got, want := *r.GoodRate, float64(r.Level5+r.Level4+r.Level3)/float64(r.Rated); got != want {
				t.Errorf("%s good_rate = %v, want %v", r.Key, got, want)
			}
		} else if r.GoodRate != nil {
			t.Errorf("%s good_rate over no ratings = %v, want null", r.Key, *r.GoodRate)
		}
	}
	if kinds == 0 || promised == 0 {
		t.Errorf("visits by service: %d instant/joint/referred, %d promised cases; the day recorded cases", kinds, promised)
	}
	if issued != len(tickets) || unrated == 0 || rated == 0 {
		t.Errorf("visits by service: issued %d (journal %d), unrated %d, rated %d", issued, len(tickets), unrated, rated)
	}
}

// appendEvaluation journals, after the day, the events the evaluation
// branch records: rating.unrated for finished unrated tickets, a case for
// each 差评 with a few steps, and staff sign-ins.
func appendEvaluation(t *testing.T, th *testHall) {
	t.Helper()
	p := NewProjection()
	if err := th.J.Replay(0, func(e *queue.Event) error { p.Apply(e); return nil }); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(p.Tickets))
	for id := range p.Tickets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	seq := th.J.LastSeq()
	at := th.Clock.Now()
	var evs []queue.Event
	add := func(e queue.Event) {
		seq++
		e.Seq, e.At = seq, at
		evs = append(evs, e)
	}
	cases := 0
	for _, id := range ids {
		tk := p.Tickets[id]
		switch {
		case tk.Status == string(queue.Done) && tk.Rating == 0:
			add(queue.Event{Kind: queue.EvRatingUnrated, TicketID: id, Ticket: tk.Number, Service: tk.Service,
				Counter: tk.Counter, StaffID: tk.StaffID})
		case tk.Rating > 0 && tk.Rating <= 2:
			cases++
			cid := fmt.Sprintf("C%04d", cases)
			vb, rb := at.Add(24*time.Hour), at.Add(15*24*time.Hour)
			add(queue.Event{Kind: queue.EvCaseOpened, CaseID: cid, RatingID: "R" + id, TicketID: id, Ticket: tk.Number,
				Service: tk.Service, Counter: tk.Counter, StaffID: tk.StaffID, Level: tk.Rating, VerifyBy: &vb, RectifyBy: &rb})
			steps := []struct{ action, status string }{{"verify", "verified"}, {"rectify", "rectified"}, {"callback", "closed"}}
			for i := 0; i < cases%4 && i < len(steps); i++ {
				e := queue.Event{Kind: queue.EvCaseStep, CaseID: cid, Action: steps[i].action, By: "s01", CaseStatus: steps[i].status}
				if steps[i].action == "callback" {
					lvl := 3 + cases%3
					e.FollowupLevel = &lvl
				}
				add(e)
			}
		}
	}
	add(queue.Event{Kind: queue.EvStaffSignedIn, Counter: "1", StaffID: "s02", FromStaff: "s01"})
	if cases == 0 {
		t.Fatal("the simulated day gave no 差评 to open cases for")
	}
	if err := th.J.Append(evs, nil); err != nil {
		t.Fatal(err)
	}
}
