package mysql

import (
	"database/sql"
	"os"
	"strings"
	"testing"
)

// docReports are the report queries of docs/mysql.md: the sql blocks whose
// first line is "-- report: NAME".
func docReports(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/mysql.md")
	if err != nil {
		t.Fatalf("read docs/mysql.md: %v", err)
	}
	out := map[string]string{}
	for _, block := range strings.Split(string(doc), "```sql\n")[1:] {
		body := block[:strings.Index(block, "```")]
		first, _, _ := strings.Cut(body, "\n")
		if name, ok := strings.CutPrefix(first, "-- report: "); ok {
			out[name] = body
		}
	}
	if len(out) < 8 {
		t.Fatalf("docs/mysql.md has %d report queries", len(out))
	}
	return out
}

// checkReports runs every report of docs/mysql.md for hallID and wants rows.
func checkReports(t *testing.T, db *sql.DB, hallID string) {
	t.Helper()
	for name, q := range docReports(t) {
		rows, err := db.Query(strings.ReplaceAll(q, "'nt-main'", "'"+hallID+"'"))
		if err != nil {
			t.Errorf("report %q: %v", name, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("report %q: %v", name, err)
		}
		rows.Close()
		if n == 0 {
			t.Errorf("report %q returned no rows", name)
		}
	}
}
