package report

import (
	"fmt"
	"time"

	"github.com/hallq/hallq/report/rowsql"
)

// The key of a visits report row, as SQL both dialects run.

// keyExpr is the SQL of a grouping's key, or "" when the hour of issue has
// to be worked out in Go (the hall's zone changes its offset in the range).
func (s *Source) keyExpr(by, from, to string) string {
	if by != "hour" {
		return keyCols[by]
	}
	off, ok := fixedOffset(s.Loc, from, to)
	if !ok {
		return ""
	}
	if s.Dialect == rowsql.SQLite {
		return fmt.Sprintf("strftime('%%H', issued_at, '%+d minutes')", off/60)
	}
	return fmt.Sprintf("DATE_FORMAT(DATE_ADD(issued_at, INTERVAL %d MINUTE), '%%H')", off/60)
}

// fixedOffset is loc's UTC offset in seconds if it is the same all through
// the days from..to.
func fixedOffset(loc *time.Location, from, to string) (int, bool) {
	d, err1 := time.ParseInLocation("2006-01-02", from, loc)
	end, err2 := time.ParseInLocation("2006-01-02", to, loc)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	_, off := d.Zone()
	for ; !d.After(end.AddDate(0, 0, 1)); d = d.Add(6 * time.Hour) {
		if _, o := d.Zone(); o != off {
			return 0, false
		}
	}
	return off, true
}
