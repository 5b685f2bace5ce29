package mysql

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// checkReplica compares MySQL's copy of th's hall with th's journal: every
// event exactly once and unchanged, every idempotency record, the ticket
// projection against the state replayed from the journal, and all report
// rows against a projection folded over the whole journal at once.
func checkReplica(t *testing.T, db *sql.DB, th *testHall) {
	t.Helper()
	hallID, j := th.Spec.HallID, th.J
	last, err := j.DurableSeq()
	if err != nil {
		t.Fatal(err)
	}
	var count, maxSeq, cursor int64
	if err := db.QueryRow("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events WHERE hall = ?", hallID).Scan(&count, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT seq FROM replication_cursors WHERE hall = ?", hallID).Scan(&cursor); err != nil {
		t.Fatal(err)
	}
	if count != last || maxSeq != last || cursor != last {
		t.Fatalf("hall %s: mysql has %d events up to seq %d, cursor %d; the journal has %d", hallID, count, maxSeq, cursor, last)
	}
	checkEvents(t, db, hallID, j)
	checkRequests(t, db, hallID, j)

	st := replayState(t, j, th.Spec)
	got := readTickets(t, db, hallID)
	checkTicketsMatchState(t, got, st)

	want := NewProjection()
	if err := j.Replay(0, func(e *queue.Event) error { want.Apply(e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want.Tickets) {
		t.Errorf("mysql has %d tickets, the journal %d", len(got), len(want.Tickets))
	}
	for id, w := range want.Tickets {
		if g := got[id]; g == nil || !reflect.DeepEqual(*normTicket(g), *normTicket(w)) {
			t.Errorf("ticket %s:\nmysql   %+v\njournal %+v", id, g, w)
		}
	}
	visits := readVisits(t, db, hallID)
	if len(visits) != len(want.Visits) {
		t.Errorf("mysql has %d calls, the journal %d", len(visits), len(want.Visits))
	}
	for seq, w := range want.Visits {
		if g := visits[seq]; g == nil || !reflect.DeepEqual(*normVisit(g), *normVisit(w)) {
			t.Errorf("call %d:\nmysql   %+v\njournal %+v", seq, g, w)
		}
	}
	sessions := readSessions(t, db, hallID)
	if len(sessions) != len(want.Sessions) {
		t.Errorf("mysql has %d counter sessions, the journal %d", len(sessions), len(want.Sessions))
	}
	for seq, w := range want.Sessions {
		if g := sessions[seq]; g == nil || !reflect.DeepEqual(*normSession(g), *normSession(w)) {
			t.Errorf("session %d:\nmysql   %+v\njournal %+v", seq, g, w)
		}
	}
	var ratings, dims, wantDims int
	db.QueryRow("SELECT COUNT(*) FROM ratings WHERE hall = ?", hallID).Scan(&ratings)
	db.QueryRow("SELECT COUNT(*) FROM rating_dims WHERE hall = ?", hallID).Scan(&dims)
	for _, r := range want.Ratings {
		wantDims += len(r.Dims)
	}
	if ratings != len(want.Ratings) || dims != wantDims {
		t.Errorf("mysql has %d ratings with %d dims, the journal %d with %d", ratings, dims, len(want.Ratings), wantDims)
	}
}

// checkEvents compares every event's kind and data.
func checkEvents(t *testing.T, db *sql.DB, hallID string, j *store.Journal) {
	t.Helper()
	rows, err := db.Query("SELECT seq, kind, data FROM events WHERE hall = ? ORDER BY seq", hallID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var local []store.RawEvent
	var after int64
	bad := 0
	for rows.Next() {
		var seq int64
		var kind string
		var data []byte
		if err := rows.Scan(&seq, &kind, &data); err != nil {
			t.Fatal(err)
		}
		if len(local) == 0 {
			if local, err = j.RawEventsAfter(after, 1000); err != nil || len(local) == 0 {
				t.Fatalf("journal after %d: %v", after, err)
			}
		}
		l := local[0]
		local, after = local[1:], l.Seq
		if l.Seq != seq || l.Kind != kind || !sameJSON(l.Data, data) {
			if bad++; bad < 5 {
				t.Errorf("event %d: mysql %s %s, journal %d %s %s", seq, kind, data, l.Seq, l.Kind, l.Data)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// checkRequests compares the idempotency records.
func checkRequests(t *testing.T, db *sql.DB, hallID string, j *store.Journal) {
	t.Helper()
	want := map[string]store.Request{}
	if err := j.Requests(time.Unix(0, 0), func(r store.Request) { want[r.Source+"|"+r.ReqID] = r }); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the journal has no idempotency records: the load should make some")
	}
	rows, err := db.Query("SELECT source, req_id, at, seq, response FROM requests WHERE hall = ?", hallID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r store.Request
		if err := rows.Scan(&r.Source, &r.ReqID, &r.At, &r.Seq, &r.Response); err != nil {
			t.Fatal(err)
		}
		n++
		w, ok := want[r.Source+"|"+r.ReqID]
		if !ok || w.Seq != r.Seq || !w.At.Equal(r.At) || !sameJSON(w.Response, r.Response) {
			t.Errorf("request %s %s: mysql %+v, journal %+v", r.Source, r.ReqID, r, w)
		}
	}
	if n != len(want) {
		t.Errorf("mysql has %d idempotency records, the journal %d", n, len(want))
	}
}

// checkTicketsMatchState compares the ticket rows with queue's own state.
func checkTicketsMatchState(t *testing.T, got map[string]*TicketRow, st *queue.State) {
	t.Helper()
	if len(st.Tickets) == 0 {
		t.Fatal("no tickets in the state")
	}
	bad := 0
	for id, s := range st.Tickets {
		g := got[id]
		if g == nil {
			t.Fatalf("ticket %s is not in mysql", id)
		}
		want := fmt.Sprintf("%s %s %s %s counter=%s staff=%s issued=%s called=%s started=%s finished=%s recalls=%d transfers=%d rated=%v",
			s.Number, s.Service, s.Channel, s.Status, s.Counter, s.StaffID, ts(s.IssuedAt), ts(s.CalledAt), ts(s.StartedAt),
			ts(s.FinishedAt), s.Recalls, s.Transfers, s.Rated)
		have := fmt.Sprintf("%s %s %s %s counter=%s staff=%s issued=%s called=%s started=%s finished=%s recalls=%d transfers=%d rated=%v",
			g.Number, g.Service, g.Channel, g.Status, g.Counter, g.StaffID, ts(g.IssuedAt), ts(g.CalledAt), ts(g.StartedAt),
			ts(g.FinishedAt), g.Recalls, g.Transfers, g.Rating != 0)
		if want != have {
			if bad++; bad < 5 {
				t.Errorf("ticket %s:\nmysql %s\nstate %s", id, have, want)
			}
		}
	}
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return u(t).Format(time.RFC3339Nano)
}

func readTickets(t *testing.T, db *sql.DB, hallID string) map[string]*TicketRow {
	t.Helper()
	out := map[string]*TicketRow{}
	readRows(t, db, "SELECT "+strings.Join(ticketCols()[1:], ", ")+" FROM tickets WHERE hall = ?", hallID, func(rows *sql.Rows) error {
		r, err := scanTicket(rows)
		if err == nil {
			out[r.TicketID] = r
		}
		return err
	})
	return out
}

func readVisits(t *testing.T, db *sql.DB, hallID string) map[int64]*VisitRow {
	t.Helper()
	out := map[int64]*VisitRow{}
	readRows(t, db, "SELECT "+strings.Join(visitCols()[1:], ", ")+" FROM calls WHERE hall = ?", hallID, func(rows *sql.Rows) error {
		r, err := scanVisit(rows)
		if err == nil {
			out[r.Seq] = r
		}
		return err
	})
	return out
}

func readSessions(t *testing.T, db *sql.DB, hallID string) map[int64]*SessionRow {
	t.Helper()
	out := map[int64]*SessionRow{}
	readRows(t, db, "SELECT "+strings.Join(sessionCols()[1:], ", ")+" FROM counter_sessions WHERE hall = ?", hallID, func(rows *sql.Rows) error {
		r, err := scanSession(rows)
		if err == nil {
			out[r.OpenSeq] = r
		}
		return err
	})
	return out
}

func readRows(t *testing.T, db *sql.DB, q, hallID string, fn func(*sql.Rows) error) {
	t.Helper()
	rows, err := db.Query(q, hallID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func normTicket(r *TicketRow) *TicketRow {
	c := *r
	c.IssuedAt, c.CalledAt, c.StartedAt, c.FinishedAt, c.EndedAt, c.RatedAt = u(c.IssuedAt), u(c.CalledAt), u(c.StartedAt), u(c.FinishedAt), u(c.EndedAt), u(c.RatedAt)
	c.FirstCalledAt = u(c.FirstCalledAt)
	return &c
}

func normVisit(r *VisitRow) *VisitRow {
	c := *r
	c.CalledAt, c.StartedAt, c.EndedAt = u(c.CalledAt), u(c.StartedAt), u(c.EndedAt)
	return &c
}

func normSession(r *SessionRow) *SessionRow {
	c := *r
	c.OpenedAt, c.ClosedAt, c.PausedAt = u(c.OpenedAt), u(c.ClosedAt), u(c.PausedAt)
	return &c
}

// u is t in UTC at MySQL's precision, zero kept zero.
func u(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// sameJSON compares two JSON texts by value (MySQL 8 normalises JSON).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// countKinds counts journal events by kind.
func countKinds(t *testing.T, j *store.Journal) map[string]int {
	t.Helper()
	out := map[string]int{}
	if err := j.Replay(0, func(e *queue.Event) error { out[string(e.Kind)]++; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// kindsLine is countKinds as one sorted line for logs.
func kindsLine(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "%s=%d ", k, m[k])
	}
	return b.String()
}
