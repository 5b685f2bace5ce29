// Package rowsql loads and writes the report rows of report/fold over
// database/sql, in the local SQLite store and in MySQL: the same tables and
// columns on both sides, so one report code reads either.
package rowsql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Dialect is the SQL flavour of a database holding report rows.
type Dialect int

// Dialects.
const (
	MySQL Dialect = iota
	SQLite
)

// String is the dialect's name.
func (d Dialect) String() string {
	if d == SQLite {
		return "sqlite"
	}
	return "mysql"
}

// TimeLayout is how SQLite keeps a time: UTC text with microseconds, which
// sorts like the time and matches MySQL's DATETIME(6).
const TimeLayout = "2006-01-02 15:04:05.000000"

// Execer is a *sql.Tx or *sql.DB.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Queryer is a *sql.Tx or *sql.DB.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// maxRowsPerStatement bounds one multi-row INSERT, well under the
// placeholder limits of both databases.
const maxRowsPerStatement = 500

// Time is t as a column value: NULL for the zero time, else UTC cut to
// microseconds (MySQL would round, MariaDB truncates) within DATETIME's range.
func (d Dialect) Time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = DBTime(t)
	if d == SQLite {
		return t.Format(TimeLayout)
	}
	return t
}

// DBTime is t in UTC, cut to microseconds and within years 1000 to 9999.
func DBTime(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Microsecond)
	if lo := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC); t.Before(lo) {
		return lo
	}
	if hi := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC); t.After(hi) {
		return hi
	}
	return t
}

// rowsWriter collects rows for one multi-row upsert per table.
type rowsWriter struct {
	d      Dialect
	table  string
	cols   []string
	keys   int // the leading columns that form the primary key
	args   []any
	nrows  int
	values string
}

func (d Dialect) newRows(table string, cols []string, keys int) *rowsWriter {
	ph := strings.Repeat("?, ", len(cols))
	return &rowsWriter{d: d, table: table, cols: cols, keys: keys, values: "(" + ph[:len(ph)-2] + ")"}
}

// add appends one row; it takes exactly one value per column.
func (w *rowsWriter) add(vals ...any) {
	if len(vals) != len(w.cols) {
		panic(fmt.Sprintf("rowsql %s: %d values for %d columns", w.table, len(vals), len(w.cols)))
	}
	w.args = append(w.args, vals...)
	w.nrows++
}

// exec writes the rows, replacing rows with the same key.
func (w *rowsWriter) exec(ctx context.Context, x Execer) error {
	n := len(w.cols)
	for start := 0; start < w.nrows; start += maxRowsPerStatement {
		end := min(start+maxRowsPerStatement, w.nrows)
		var b strings.Builder
		verb := "INSERT INTO"
		if w.d == SQLite {
			verb = "INSERT OR REPLACE INTO"
		}
		fmt.Fprintf(&b, "%s %s (%s) VALUES ", verb, w.table, strings.Join(w.cols, ", "))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(w.values)
		}
		if w.d == MySQL {
			b.WriteString(" ON DUPLICATE KEY UPDATE ")
			for i, c := range w.cols[w.keys:] {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(c + " = VALUES(" + c + ")")
			}
		}
		if _, err := x.ExecContext(ctx, b.String(), w.args[start*n:end*n]...); err != nil {
			return fmt.Errorf("write %s: %w", w.table, err)
		}
	}
	return nil
}

// Upsert writes rows (one value per column each) to table, replacing rows
// with the same key (the first keys columns), in x.
func (d Dialect) Upsert(ctx context.Context, x Execer, table string, cols []string, keys int, rows ...[]any) error {
	w := d.newRows(table, cols, keys)
	for _, r := range rows {
		w.add(r...)
	}
	return w.exec(ctx, x)
}

// Placeholders is "?, ?, ?" for n values.
func Placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// clip shortens s to at most n characters: a value MySQL refuses would stop
// replication for good, a clipped report column does not.
func clip(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// nullString is NULL for "", else s clipped to n characters.
func nullString(s string, n int) any {
	if s == "" {
		return nil
	}
	return clip(s, n)
}

// nullInt is NULL for nil.
func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// nullInt64 is NULL for 0.
func nullInt64(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// nullInt64p is NULL for nil.
func nullInt64p(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
