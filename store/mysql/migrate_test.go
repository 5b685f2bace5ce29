package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/internal/testenv"
)

// TestMigrationsAreAdditive checks every migration statement only creates or
// adds: upgrading hallq must never drop or rewrite report data.
func TestMigrationsAreAdditive(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("want several migrations, have %d", len(ms))
	}
	allowed := regexp.MustCompile(`(?is)^(CREATE TABLE IF NOT EXISTS|ALTER TABLE \w+ ADD (INDEX|COLUMN|KEY)|INSERT IGNORE INTO)\s`)
	forbidden := regexp.MustCompile(`(?i)\b(DROP|TRUNCATE|DELETE|RENAME|MODIFY|CHANGE|REPLACE)\b`)
	for _, m := range ms {
		for _, stmt := range splitStatements(m.SQL) {
			if !allowed.MatchString(stmt) {
				t.Errorf("%s: statement is not additive:\n%s", m.Name, stmt)
			}
			if w := forbidden.FindString(stmt); w != "" {
				t.Errorf("%s: statement uses %s:\n%s", m.Name, w, stmt)
			}
		}
	}
}

func TestMigrate(t *testing.T) {
	mdb := testenv.StartMariaDB(t)
	ctx := context.Background()
	log := zerolog.Nop()
	n := SchemaVersion()

	empty := openDB(t, mdb.NewDatabase(t, "from_empty"))
	if err := Migrate(ctx, empty, log); err != nil {
		t.Fatalf("migrate from empty: %v", err)
	}
	want := schemaOf(t, empty)

	t.Run("FromEmpty", func(t *testing.T) {
		if got := appliedVersions(t, empty); got != versionsUpTo(n) {
			t.Fatalf("schema_migrations = %s, want %s", got, versionsUpTo(n))
		}
		if err := Migrate(ctx, empty, log); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		if got := schemaOf(t, empty); got != want {
			t.Fatalf("a second migrate changed the schema:\n%s", diffLines(want, got))
		}
		for _, table := range []string{"events", "tickets", "calls", "ratings", "counter_sessions", "requests", "replication_cursors"} {
			var engine, collation string
			if err := empty.QueryRow("SELECT engine, table_collation FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", table).Scan(&engine, &collation); err != nil {
				t.Fatalf("table %s: %v", table, err)
			}
			if engine != "InnoDB" || !strings.HasPrefix(collation, "utf8mb4") {
				t.Errorf("table %s is %s %s, want InnoDB utf8mb4", table, engine, collation)
			}
		}
	})

	t.Run("FromEveryVersion", func(t *testing.T) {
		for k := 1; k < n; k++ {
			db := openDB(t, mdb.NewDatabase(t, fmt.Sprintf("from_v%d", k)))
			if err := MigrateTo(ctx, db, k, log); err != nil {
				t.Fatalf("migrate to %d: %v", k, err)
			}
			if got := appliedVersions(t, db); got != versionsUpTo(k) {
				t.Fatalf("at version %d schema_migrations = %s", k, got)
			}
			// Data written at version k survives the upgrade.
			if _, err := db.Exec("INSERT INTO events (hall, seq, kind, at, data) VALUES ('h', 1, 'notice.set', ?, '{}')", time.Now().UTC()); err != nil {
				t.Fatalf("write at version %d: %v", k, err)
			}
			if err := Migrate(ctx, db, log); err != nil {
				t.Fatalf("migrate from %d: %v", k, err)
			}
			if got := schemaOf(t, db); got != want {
				t.Fatalf("schema migrated from version %d differs from one migrated from empty:\n%s", k, diffLines(want, got))
			}
			var rows int
			if err := db.QueryRow("SELECT COUNT(*) FROM events").Scan(&rows); err != nil || rows != 1 {
				t.Fatalf("events after migrating from %d: %d rows, %v", k, rows, err)
			}
		}
	})

	t.Run("CutShort", func(t *testing.T) {
		// DDL commits statement by statement: a migration interrupted after
		// its first statement is run again in full.
		db := openDB(t, mdb.NewDatabase(t, "cut_short"))
		if err := MigrateTo(ctx, db, n-1, log); err != nil {
			t.Fatal(err)
		}
		ms, _ := Migrations()
		if _, err := db.Exec(splitStatements(ms[n-1].SQL)[0]); err != nil {
			t.Fatal(err)
		}
		if err := Migrate(ctx, db, log); err != nil {
			t.Fatalf("migrate after a cut-short migration: %v", err)
		}
		if got := schemaOf(t, db); got != want {
			t.Fatalf("schema differs:\n%s", diffLines(want, got))
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		dsn := mdb.NewDatabase(t, "concurrent")
		db, other := openDB(t, dsn), openDB(t, dsn)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, d := range []*sql.DB{db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = Migrate(ctx, d, log)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("concurrent migrate: %v", err)
			}
		}
		if got := appliedVersions(t, db); got != versionsUpTo(n) {
			t.Fatalf("schema_migrations = %s", got)
		}
	})
}

// schemaOf describes the tables, columns and indexes of db's current database.
func schemaOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	rows, err := db.Query(`SELECT table_name, column_name, column_type, is_nullable, COALESCE(column_default, ''), ordinal_position
		FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, column_name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, col, typ, null, def string
		var pos int
		if err := rows.Scan(&table, &col, &typ, &null, &def, &pos); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "column %s.%s %s null=%s default=%s\n", table, col, typ, null, def)
	}
	rows.Close()
	rows, err = db.Query(`SELECT table_name, index_name, non_unique, GROUP_CONCAT(column_name ORDER BY seq_in_index)
		FROM information_schema.statistics WHERE table_schema = DATABASE()
		GROUP BY table_name, index_name, non_unique ORDER BY table_name, index_name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, index, cols string
		var nonUnique int
		if err := rows.Scan(&table, &index, &nonUnique, &cols); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "index %s.%s unique=%v (%s)\n", table, index, nonUnique == 0, cols)
	}
	rows.Close()
	return b.String()
}

func appliedVersions(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s sql.NullString
	if err := db.QueryRow("SELECT GROUP_CONCAT(version ORDER BY version) FROM schema_migrations").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s.String
}

func versionsUpTo(n int) string {
	var parts []string
	for i := 1; i <= n; i++ {
		parts = append(parts, fmt.Sprint(i))
	}
	return strings.Join(parts, ",")
}

// diffLines lists the lines only in want or only in got.
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for l := range w {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for l := range g {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
