package calendar

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestAddWorkdaysProperty checks AddWorkdays against its definition: the
// result is a working day after D (or D for n = 0), and exactly n working
// days lie in (D, result].
func TestAddWorkdaysProperty(t *testing.T) {
	base, _ := ParseDate("2026-01-01")
	day := func(i int) string { return base.AddDate(0, 0, i).Format(DateLayout) }
	rapid.Check(t, func(t *rapid.T) {
		var r Rules
		for d := time.Sunday; d <= time.Saturday; d++ {
			if rapid.Bool().Draw(t, "weekend") {
				r.Weekend = append(r.Weekend, d)
			}
		}
		if len(r.Weekend) == 7 {
			r.Weekend = r.Weekend[1:]
		}
		off := map[string]bool{}
		for _, i := range rapid.SliceOfNDistinct(rapid.IntRange(0, 120), 0, 40, rapid.ID[int]).Draw(t, "holidays") {
			r.Holidays = append(r.Holidays, day(i))
			off[day(i)] = true
		}
		for _, i := range rapid.SliceOfNDistinct(rapid.IntRange(0, 120), 0, 10, rapid.ID[int]).Draw(t, "workdays") {
			if !off[day(i)] {
				r.Workdays = append(r.Workdays, day(i))
			}
		}
		c, err := New(r)
		if err != nil {
			t.Fatal(err)
		}
		start := rapid.IntRange(0, 100).Draw(t, "start")
		n := rapid.IntRange(0, 20).Draw(t, "n")
		got, err := c.AddWorkdays(day(start), n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if got != day(start) {
				t.Fatalf("n=0 gave %s", got)
			}
			return
		}
		if !c.IsWorkday(got) {
			t.Fatalf("%s is not a working day", got)
		}
		count := 0
		for i := start + 1; day(i) <= got; i++ {
			if c.IsWorkday(day(i)) {
				count++
			}
		}
		if count != n {
			t.Fatalf("%d working days in (%s, %s], want %d", count, day(start), got, n)
		}
	})
}
