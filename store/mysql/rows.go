package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// execer is a *sql.Tx or *sql.DB.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// maxRowsPerStatement bounds one multi-row INSERT, well under the 65,535
// placeholders of a prepared statement and max_allowed_packet.
const maxRowsPerStatement = 500

// rowsWriter collects rows for one multi-row INSERT ... ON DUPLICATE KEY
// UPDATE statement, so a batch costs one round trip per table.
type rowsWriter struct {
	table  string
	cols   []string
	onDup  string // the ON DUPLICATE KEY UPDATE clause, or "" for a plain INSERT
	args   []any
	nrows  int
	values string // "(?, ?, ...)" for one row
}

// newRows starts a statement for table's cols; onDup is what follows ON
// DUPLICATE KEY UPDATE (empty for none).
func newRows(table string, cols []string, onDup string) *rowsWriter {
	ph := strings.Repeat("?, ", len(cols))
	return &rowsWriter{table: table, cols: cols, onDup: onDup, values: "(" + ph[:len(ph)-2] + ")"}
}

// add appends one row; it takes exactly one value per column.
func (w *rowsWriter) add(vals ...any) {
	if len(vals) != len(w.cols) {
		panic(fmt.Sprintf("rowsWriter %s: %d values for %d columns", w.table, len(vals), len(w.cols)))
	}
	w.args = append(w.args, vals...)
	w.nrows++
}

// exec writes the collected rows in as few statements as it may.
func (w *rowsWriter) exec(ctx context.Context, x execer) error {
	n := len(w.cols)
	for start := 0; start < w.nrows; start += maxRowsPerStatement {
		end := min(start+maxRowsPerStatement, w.nrows)
		var b strings.Builder
		b.Grow(64 + (end-start)*(len(w.values)+2))
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", w.table, strings.Join(w.cols, ", "))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(w.values)
		}
		if w.onDup != "" {
			b.WriteString(" ON DUPLICATE KEY UPDATE ")
			b.WriteString(w.onDup)
		}
		if _, err := x.ExecContext(ctx, b.String(), w.args[start*n:end*n]...); err != nil {
			return fmt.Errorf("write %s: %w", w.table, err)
		}
	}
	return nil
}

// updateAll is an ON DUPLICATE KEY UPDATE clause setting every column to the
// inserted value.
func updateAll(cols ...string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = VALUES(" + c + ")"
	}
	return strings.Join(parts, ", ")
}

// placeholders is "?, ?, ?" for n values.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
