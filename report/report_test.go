package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"pgregory.net/rapid"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/fold"
	"github.com/hallq/hallq/report/rowsql"
	"github.com/hallq/hallq/store"
)

// testSpec is a hall of three services (one without a target) and four
// counters in Asia/Shanghai.
func testSpec() *queue.Spec {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return &queue.Spec{HallID: "r", Location: loc, Services: map[string]*queue.ServiceSpec{
		"a": {ID: "a", TargetWait: 10 * time.Minute}, "b": {ID: "b", TargetWait: 90 * time.Second}, "c": {ID: "c"}}}
}

// mustSource opens a journal in a temp dir (its migrations make the report
// tables) and writes the rows of evs folded at once.
func mustSource(t testing.TB, sp *queue.Spec, evs []queue.Event) *Source {
	t.Helper()
	src, closeFn := openSource(t, t.TempDir(), sp, evs)
	t.Cleanup(closeFn)
	return src
}

// fataler is what openSource needs of a *testing.T or *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

// openSource is mustSource in dir, closed by the returned func.
func openSource(t fataler, dir string, sp *queue.Spec, evs []queue.Event) (*Source, func()) {
	t.Helper()
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	p := fold.NewProjection()
	for i := range evs {
		p.Apply(&evs[i])
	}
	if err := rowsql.Write(context.Background(), j.WriteDB(), rowsql.SQLite, sp.HallID, p); err != nil {
		j.Close()
		t.Fatal(err)
	}
	return NewSource(j.DB(), rowsql.SQLite, sp), func() { j.Close() }
}

// genDay draws the events of up to n tickets over two days.
func genDay(t *rapid.T, sp *queue.Spec, n int) []queue.Event {
	var evs []queue.Event
	seq := int64(0)
	add := func(e queue.Event) {
		seq++
		e.Seq = seq
		evs = append(evs, e)
	}
	k := rapid.IntRange(0, n).Draw(t, "tickets")
	for i := 0; i < k; i++ {
		day := time.Date(2026, 11, 23+rapid.IntRange(0, 1).Draw(t, "day"), 0, 0, 0, 0, sp.Location)
		at := day.Add(time.Duration(rapid.Int64Range(int64(7*time.Hour), int64(18*time.Hour)).Draw(t, "at")))
		svc := rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "service")
		id := fmt.Sprintf("%s-X%03d", day.Format("20060102"), i)
		add(queue.Event{Kind: queue.EvTicketIssued, At: at, TicketID: id, Ticket: id[9:], Service: svc})
		switch rapid.IntRange(0, 5).Draw(t, "fate") {
		case 0:
			continue // never called
		case 1:
			add(queue.Event{Kind: queue.EvTicketTransferred, At: at.Add(time.Second), TicketID: id, Service: "b", ToService: "b"})
		}
		ctr := rapid.SampledFrom([]string{"1", "2", "3", "4"}).Draw(t, "counter")
		staff := rapid.SampledFrom([]string{"", "s1", "s2"}).Draw(t, "staff")
		called := at.Add(time.Duration(rapid.Int64Range(0, int64(40*time.Minute)).Draw(t, "wait")))
		add(queue.Event{Kind: queue.EvTicketCalled, At: called, TicketID: id, Counter: ctr, StaffID: staff})
		if rapid.IntRange(0, 6).Draw(t, "noshow") == 0 {
			add(queue.Event{Kind: queue.EvTicketNoShow, At: called.Add(time.Minute), TicketID: id, Counter: ctr})
			continue
		}
		fin := called.Add(time.Duration(rapid.Int64Range(0, int64(20*time.Minute)).Draw(t, "service")))
		kind := rapid.SampledFrom([]string{"", queue.CaseInstant, queue.CasePromised, queue.CaseJoint, queue.CaseReferred}).Draw(t, "case")
		promised := ""
		if kind == queue.CasePromised {
			promised = fmt.Sprintf("2026-11-%02d", rapid.IntRange(23, 27).Draw(t, "promised"))
		}
		add(queue.Event{Kind: queue.EvTicketFinished, At: fin, TicketID: id, Counter: ctr, CaseKind: kind, PromisedDate: promised})
		switch lvl := rapid.IntRange(-1, 5).Draw(t, "level"); {
		case lvl > 0:
			add(queue.Event{Kind: queue.EvRatingSubmitted, At: fin.Add(time.Second), TicketID: id, Counter: ctr, Level: lvl})
		case lvl == 0:
			add(queue.Event{Kind: queue.EvRatingUnrated, At: fin.Add(2 * time.Minute), TicketID: id})
		}
	}
	return evs
}

// TestVisitsMatchesNaive checks the visits report read back from the store
// against a naive computation over the fold's rows in memory, for every
// grouping (the hour of issue from the SQL offset expression, too).
func TestVisitsMatchesNaive(t *testing.T) {
	sp := testSpec()
	base := t.TempDir()
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		evs := genDay(t, sp, 40)
		src, closeFn := openSource(t, fmt.Sprintf("%s/%d", base, n), sp, evs)
		defer closeFn()
		src.Now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, sp.Location) }
		p := fold.NewProjection()
		for i := range evs {
			p.Apply(&evs[i])
		}
		for _, by := range []string{"service", "counter", "staff", "day", "hour"} {
			got, err := src.Visits(context.Background(), "2026-11-23", "2026-11-24", by)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(naiveVisits(sp, p, by))
			if string(g) != string(w) {
				t.Fatalf("by %s:\nstore %s\nnaive %s", by, g, w)
			}
		}
	})
}

// naiveVisits is the visits report computed straight from CONTRACT §5 over
// the rows in memory.
func naiveVisits(sp *queue.Spec, p *fold.Projection, by string) []VisitsRow {
	groups := map[string][]*fold.TicketRow{}
	for _, tk := range p.Tickets {
		var k string
		switch by {
		case "service":
			k = tk.FirstService
		case "counter":
			k = tk.Counter
		case "staff":
			k = tk.StaffID
		case "day":
			k = tk.Day
		case "hour":
			k = tk.IssuedAt.In(sp.Location).Format("15")
		}
		if k != "" {
			groups[k] = append(groups[k], tk)
		}
	}
	ms := func(us float64) *float64 { v := math.Round(us/1000) / 1000; return &v }
	ratio := func(a, b int) *float64 {
		if b == 0 {
			return nil
		}
		v := float64(a) / float64(b)
		return &v
	}
	var out []VisitsRow
	for k, ts := range groups {
		r := VisitsRow{Key: k}
		var waits []int64
		var svcSum int64
		within, past := 0, 0
		for _, tk := range ts {
			r.Issued++
			if !tk.FinishedAt.IsZero() {
				r.Served++
				if tk.ServiceUS != nil {
					svcSum += *tk.ServiceUS
				}
			}
			if tk.Status == "no_show" {
				r.NoShow++
			}
			if tk.Transfers > 0 {
				r.Transferred++
			}
			if tk.WaitUS != nil {
				waits = append(waits, *tk.WaitUS)
				tgt := sp.Services[tk.FirstService].TargetWait
				if tgt == 0 || time.Duration(*tk.WaitUS)*time.Microsecond <= tgt {
					within++
				}
			}
			if !tk.FinishedAt.IsZero() {
				switch tk.CaseKind {
				case queue.CaseInstant:
					r.CaseInstant++
				case queue.CasePromised:
					r.CasePromised++
					if tk.PromisedDate < "2026-11-25" { // before today (the test's clock)
						past++
					}
				case queue.CaseJoint:
					r.CaseJoint++
				case queue.CaseReferred:
					r.CaseReferred++
				}
			}
			switch tk.Rating {
			case 5:
				r.Level5++
			case 4:
				r.Level4++
			case 3:
				r.Level3++
			case 2:
				r.Level2++
			case 1:
				r.Level1++
			default:
				if tk.Unrated {
					r.Unrated++
				}
			}
		}
		r.Rated = r.Level5 + r.Level4 + r.Level3 + r.Level2 + r.Level1
		if len(waits) > 0 {
			sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
			var sum int64
			for _, w := range waits {
				sum += w
			}
			r.WaitMeanS = ms(float64(sum) / float64(len(waits)))
			// the ceil(p n)-th smallest
			r.WaitP50S = ms(float64(waits[(len(waits)+1)/2-1]))
			r.WaitP90S = ms(float64(waits[(9*len(waits)+9)/10-1]))
			r.ServiceLevel = ratio(within, len(waits))
		}
		if r.Served > 0 {
			r.ServiceMeanS = ms(float64(svcSum) / float64(r.Served))
		}
		r.GoodRate = ratio(r.Level5+r.Level4+r.Level3, r.Rated)
		r.BadRate = ratio(r.Level2+r.Level1, r.Rated)
		r.UnratedRate = ratio(r.Unrated, r.Rated+r.Unrated)
		r.PromisedPastRate = ratio(past, r.CasePromised)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	if out == nil {
		out = []VisitsRow{}
	}
	return out
}

// TestVisitsRow checks one hand-made day against CONTRACT §5: attribution,
// millisecond seconds, nearest-rank percentiles, rates and null rates.
func TestVisitsRow(t *testing.T) {
	sp := testSpec()
	day := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	var evs []queue.Event
	add := func(e queue.Event) { e.Seq = int64(len(evs) + 1); evs = append(evs, e) }
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	// A001 waits 1.5 s at counter 1, served 60.25 s, rated 3 (好评).
	add(queue.Event{Kind: queue.EvTicketIssued, At: day, TicketID: "20261123-A001", Service: "a"})
	add(queue.Event{Kind: queue.EvTicketCalled, At: day.Add(ms(1500)), TicketID: "20261123-A001", Counter: "1", StaffID: "s1"})
	add(queue.Event{Kind: queue.EvTicketFinished, At: day.Add(ms(61750)), TicketID: "20261123-A001", Counter: "1"})
	add(queue.Event{Kind: queue.EvRatingSubmitted, At: day.Add(ms(62000)), TicketID: "20261123-A001", Counter: "1", Level: 3})
	// A002 waits 20 min (over a's 10 min target), called at 1, transferred to
	// counter 2 and finished there, unrated.
	add(queue.Event{Kind: queue.EvTicketIssued, At: day, TicketID: "20261123-A002", Service: "a"})
	add(queue.Event{Kind: queue.EvTicketCalled, At: day.Add(20 * time.Minute), TicketID: "20261123-A002", Counter: "1", StaffID: "s1"})
	add(queue.Event{Kind: queue.EvTicketTransferred, At: day.Add(21 * time.Minute), TicketID: "20261123-A002", Service: "a", ToCounter: "2"})
	add(queue.Event{Kind: queue.EvTicketCalled, At: day.Add(25 * time.Minute), TicketID: "20261123-A002", Counter: "2", StaffID: "s2"})
	add(queue.Event{Kind: queue.EvTicketFinished, At: day.Add(30 * time.Minute), TicketID: "20261123-A002", Counter: "2"})
	add(queue.Event{Kind: queue.EvRatingUnrated, At: day.Add(33 * time.Minute), TicketID: "20261123-A002"})
	// A003 is never called.
	add(queue.Event{Kind: queue.EvTicketIssued, At: day, TicketID: "20261123-A003", Service: "a"})
	src := mustSource(t, sp, evs)
	ctx := context.Background()

	rows, err := src.Visits(ctx, "2026-11-23", "2026-11-23", "service")
	if err != nil || len(rows) != 1 {
		t.Fatalf("by service: %v, %v", rows, err)
	}
	r := rows[0]
	f := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"issued", r.Issued, 3}, {"served", r.Served, 2}, {"transferred", r.Transferred, 1},
		{"wait_mean_s", f(r.WaitMeanS), 600.75}, {"wait_p50_s", f(r.WaitP50S), 1.5}, {"wait_p90_s", f(r.WaitP90S), 1200.0},
		{"service_mean_s", f(r.ServiceMeanS), (60.25 + 600) / 2}, {"service_level", f(r.ServiceLevel), 0.5},
		{"rated", r.Rated, 1}, {"unrated", r.Unrated, 1}, {"good_rate", f(r.GoodRate), 1.0}, {"bad_rate", f(r.BadRate), 0.0},
		{"unrated_rate", f(r.UnratedRate), 0.5},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	rows, _ = src.Visits(ctx, "2026-11-23", "2026-11-23", "counter")
	if len(rows) != 2 || rows[0].Key != "1" || rows[0].Issued != 1 || rows[1].Key != "2" || rows[1].Issued != 1 || rows[1].Unrated != 1 {
		t.Errorf("by counter: where finished, the never-called in none: %+v", rows)
	}
	rows, _ = src.Visits(ctx, "2026-11-23", "2026-11-23", "hour")
	if len(rows) != 1 || rows[0].Key != "09" {
		t.Errorf("by hour: %+v, want one row keyed 09 (hall-local)", rows)
	}
	rows, _ = src.Visits(ctx, "2026-11-24", "2026-11-24", "day")
	if len(rows) != 0 {
		t.Errorf("a day without tickets has rows: %+v", rows)
	}
	if _, err := src.Visits(ctx, "2026-11-23", "2026-11-23", "window"); err == nil {
		t.Error("by=window accepted")
	}
	// A rate over nothing is null, in JSON too.
	b, _ := json.Marshal(VisitsRow{Key: "x"})
	if want := `"good_rate":null`; !strings.Contains(string(b), want) {
		t.Errorf("%s lacks %s", b, want)
	}
}

// TestSampling checks the pinned sample size rule, that a sample is drawn
// from the counter's finished visits without repeats, and that the same
// month and seed give the same sample while another seed gives another.
func TestSampling(t *testing.T) {
	for visits, want := range map[int]int{0: 0, 1: 1, 49: 49, 50: 50, 59: 50, 60: 51, 549: 99, 550: 100, 10000: 100} {
		if got := SampleSize(visits); got != want {
			t.Errorf("SampleSize(%d) = %d, want %d", visits, got, want)
		}
	}
	sp := testSpec()
	var evs []queue.Event
	seq := int64(0)
	finished := map[string]map[string]bool{}
	for i := 0; i < 400; i++ {
		day := time.Date(2026, 11, 1+i%30, 10, 0, 0, 0, sp.Location)
		id := fmt.Sprintf("%s-A%03d", day.Format("20060102"), i)
		ctr := fmt.Sprint(1 + i%3)
		for _, e := range []queue.Event{{Kind: queue.EvTicketIssued, At: day, TicketID: id, Service: "a"},
			{Kind: queue.EvTicketCalled, At: day.Add(time.Minute), TicketID: id, Counter: ctr}} {
			seq++
			e.Seq = seq
			evs = append(evs, e)
		}
		if i%7 != 0 { // every 7th is a no-show: not a finished visit
			seq++
			evs = append(evs, queue.Event{Seq: seq, Kind: queue.EvTicketFinished, At: day.Add(5 * time.Minute), TicketID: id, Counter: ctr})
			if finished[ctr] == nil {
				finished[ctr] = map[string]bool{}
			}
			finished[ctr][id] = true
		} else {
			seq++
			evs = append(evs, queue.Event{Seq: seq, Kind: queue.EvTicketNoShow, At: day.Add(5 * time.Minute), TicketID: id, Counter: ctr})
		}
	}
	// A December visit is not November's.
	seq++
	evs = append(evs, queue.Event{Seq: seq, Kind: queue.EvTicketIssued, At: time.Date(2026, 12, 1, 9, 0, 0, 0, sp.Location), TicketID: "20261201-A001", Service: "a"})
	src := mustSource(t, sp, evs)
	ctx := context.Background()
	a, err := src.Sampling(ctx, "2026-11", 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := src.Sampling(ctx, "2026-11", 7)
	c, _ := src.Sampling(ctx, "2026-11", 8)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	jc, _ := json.Marshal(c)
	if string(ja) != string(jb) {
		t.Error("the same month and seed gave two samples")
	}
	if string(ja) == string(jc) {
		t.Error("seeds 7 and 8 gave the same sample")
	}
	if len(a) != 3 {
		t.Fatalf("counters = %d, want 3", len(a))
	}
	for _, sc := range a {
		if sc.Visits != len(finished[sc.Counter]) || sc.SampleSize != SampleSize(sc.Visits) || len(sc.TicketIDs) != sc.SampleSize {
			t.Errorf("counter %s: visits %d (want %d), sample %d of %d ids", sc.Counter, sc.Visits, len(finished[sc.Counter]), sc.SampleSize, len(sc.TicketIDs))
		}
		if !sort.StringsAreSorted(sc.TicketIDs) {
			t.Errorf("counter %s: ids not sorted", sc.Counter)
		}
		for i, id := range sc.TicketIDs {
			if !finished[sc.Counter][id] || (i > 0 && sc.TicketIDs[i-1] == id) {
				t.Errorf("counter %s: %s is not a finished visit there, or repeated", sc.Counter, id)
			}
		}
	}
	if _, err := src.Sampling(ctx, "2026-13", 1); err == nil {
		t.Error("month 2026-13 accepted")
	}
}

// TestSamplingUniform draws many seeds and wants every visit picked about
// sample_size/visits of the time (within 25%).
func TestSamplingUniform(t *testing.T) {
	sp := testSpec()
	var evs []queue.Event
	for i := 0; i < 120; i++ {
		day := time.Date(2026, 11, 2, 10, 0, 0, 0, sp.Location)
		id := fmt.Sprintf("20261102-A%03d", i)
		evs = append(evs, queue.Event{Kind: queue.EvTicketIssued, At: day, TicketID: id, Service: "a"},
			queue.Event{Kind: queue.EvTicketCalled, At: day, TicketID: id, Counter: "1"},
			queue.Event{Kind: queue.EvTicketFinished, At: day.Add(time.Minute), TicketID: id, Counter: "1"})
	}
	for i := range evs {
		evs[i].Seq = int64(i + 1)
	}
	src := mustSource(t, sp, evs)
	hits := map[string]int{}
	const draws = 400
	for seed := uint64(0); seed < draws; seed++ {
		cs, err := src.Sampling(context.Background(), "2026-11", seed)
		if err != nil || len(cs) != 1 || cs[0].SampleSize != 57 {
			t.Fatalf("seed %d: %+v %v", seed, cs, err)
		}
		for _, id := range cs[0].TicketIDs {
			hits[id]++
		}
	}
	want := float64(draws) * 57 / 120
	for i := 0; i < 120; i++ {
		id := fmt.Sprintf("20261102-A%03d", i)
		if h := float64(hits[id]); h < 0.75*want || h > 1.25*want {
			t.Errorf("%s drawn %v times, want about %.0f", id, h, want)
		}
	}
}

// FuzzParseDate feeds the date, month and period parsers outside input: they
// answer or refuse with bad_request, never panic.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-23", "2026-02-30", "2026-11", "2026-Q4", "2026-Q5", "", "9999-99-99", "２０２６-11-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDate("from", s); err == nil {
			if _, perr := time.Parse("2006-01-02", d); perr != nil {
				t.Fatalf("ParseDate accepted %q", s)
			}
		} else if qe, ok := err.(*queue.Error); !ok || qe.Code != queue.BadRequest {
			t.Fatalf("ParseDate(%q) error %v is not bad_request", s, err)
		}
		if from, to, err := periodRange(s); err == nil && from > to {
			t.Fatalf("periodRange(%q) = %s..%s", s, from, to)
		}
		monthRange(s)
	})
}

// TestRankings checks the score's order, the red flag of a month, the
// quarter's top list, the bottom, and that too few visits are not ranked.
func TestRankings(t *testing.T) {
	sp := testSpec()
	var evs []queue.Event
	add := func(e queue.Event) { e.Seq = int64(len(evs) + 1); evs = append(evs, e) }
	// Counter 1: short waits, 好评; counter 2: long waits, 差评 with a case;
	// counter 3: in between; counter 4: only 5 visits.
	for ctr, spec := range map[string]struct {
		n     int
		wait  time.Duration
		level int
	}{"1": {25, time.Minute, 5}, "2": {25, 25 * time.Minute, 1}, "3": {25, 8 * time.Minute, 4}, "4": {5, 0, 5}} {
		for i := 0; i < spec.n; i++ {
			day := time.Date(2026, 11, 2+i%20, 9, 0, 0, 0, sp.Location)
			id := fmt.Sprintf("%s-%s%03d", day.Format("20060102"), "C"+ctr, i)
			add(queue.Event{Kind: queue.EvTicketIssued, At: day, TicketID: id, Service: "a"})
			add(queue.Event{Kind: queue.EvTicketCalled, At: day.Add(spec.wait), TicketID: id, Counter: ctr, StaffID: "s" + ctr})
			add(queue.Event{Kind: queue.EvTicketFinished, At: day.Add(spec.wait + 5*time.Minute), TicketID: id, Counter: ctr})
			add(queue.Event{Kind: queue.EvRatingSubmitted, At: day.Add(spec.wait + 6*time.Minute), TicketID: id, Counter: ctr, Level: spec.level})
			if spec.level <= 2 && i < 3 {
				add(queue.Event{Kind: queue.EvCaseOpened, At: day.Add(spec.wait + 6*time.Minute), CaseID: id + "-case", TicketID: id,
					Counter: ctr, StaffID: "s" + ctr, Level: spec.level})
			}
		}
	}
	src := mustSource(t, sp, evs)
	ctx := context.Background()
	m, err := src.Rankings(ctx, "2026-11", "counter")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range m.Rows {
		keys = append(keys, r.Key)
	}
	if got := strings.Join(keys, ","); got != "1,3,2" {
		t.Errorf("ranked %s, want 1,3,2 (counter 4 has too few visits)", got)
	}
	if m.RedFlag == nil || *m.RedFlag != "1" || m.Bottom == nil || *m.Bottom != "2" {
		t.Errorf("red flag %v, bottom %v; want 1 and 2", m.RedFlag, m.Bottom)
	}
	// Counter 1: every rating good, every wait within target, no no-shows, no
	// cases; its 1-minute waits are 5% of twice the 10-minute target: 20% × 0.95.
	if r := m.Rows[0]; r.Score != 99 || r.Rank != 1 {
		t.Errorf("counter 1 scores %v (rank %d), want 99", r.Score, r.Rank)
	}
	if r := m.Rows[2]; r.Cases != 3 || *r.Satisfaction != 0 {
		t.Errorf("counter 2: %d cases, satisfaction %v; want 3 and 0", r.Cases, *r.Satisfaction)
	}
	q, err := src.Rankings(ctx, "2026-Q4", "staff")
	if err != nil || q.RedFlag != nil || strings.Join(q.Top, ",") != "s1,s3,s2" {
		t.Errorf("quarter by staff: red flag %v, top %v, %v; want none and s1,s3,s2", q.RedFlag, q.Top, err)
	}
	for _, bad := range []string{"2026-13", "2026-Q5", "2026"} {
		if _, err := src.Rankings(ctx, bad, "counter"); err == nil {
			t.Errorf("period %q accepted", bad)
		}
	}
}

// TestFindCase: the public case lookup reads a finished case from the ticket
// rows of the one fold, by case number or ticket id, and finds nothing for a
// ticket finished without a case.
func TestFindCase(t *testing.T) {
	sp := testSpec()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	evs := []queue.Event{
		{Seq: 1, Kind: queue.EvDayStarted, At: at, Day: "2026-11-23"},
		{Seq: 2, Kind: queue.EvTicketIssued, At: at, TicketID: "20261123-A001", Ticket: "A001", N: 1, Service: "a", Channel: "walk_in"},
		{Seq: 3, Kind: queue.EvTicketCalled, At: at.Add(time.Minute), TicketID: "20261123-A001", Ticket: "A001", Service: "a", Counter: "1"},
		{Seq: 4, Kind: queue.EvTicketFinished, At: at.Add(9 * time.Minute), TicketID: "20261123-A001", Ticket: "A001", Service: "a", Counter: "1",
			CaseKind: queue.CasePromised, CaseNo: "NT-2026-0042", PromisedDate: "2026-11-30"},
		{Seq: 5, Kind: queue.EvTicketIssued, At: at, TicketID: "20261123-A002", Ticket: "A002", N: 2, Service: "a", Channel: "walk_in"},
		{Seq: 6, Kind: queue.EvTicketCalled, At: at.Add(10 * time.Minute), TicketID: "20261123-A002", Ticket: "A002", Service: "a", Counter: "1"},
		{Seq: 7, Kind: queue.EvTicketFinished, At: at.Add(12 * time.Minute), TicketID: "20261123-A002", Ticket: "A002", Service: "a", Counter: "1"},
	}
	src := mustSource(t, sp, evs)
	ctx := context.Background()
	for _, q := range [][2]string{{"NT-2026-0042", ""}, {"", "20261123-A001"}} {
		f, err := src.FindCase(ctx, q[0], q[1])
		if err != nil {
			t.Fatal(err)
		}
		if f == nil || f.TicketID != "20261123-A001" || f.Kind != queue.CasePromised || f.PromisedDate != "2026-11-30" ||
			f.Day != "2026-11-23" || f.Service != "a" || f.FinishedAt != "2026-11-23T09:09:00+08:00" {
			t.Fatalf("FindCase(%q, %q) = %+v", q[0], q[1], f)
		}
	}
	for _, q := range [][2]string{{"NT-404", ""}, {"", "20261123-A002"}} {
		if f, err := src.FindCase(ctx, q[0], q[1]); err != nil || f != nil {
			t.Fatalf("FindCase(%q, %q) = %+v, %v; want nothing", q[0], q[1], f, err)
		}
	}
}
