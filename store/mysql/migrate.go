package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/rs/zerolog"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one embedded schema migration: migrations/NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its version number", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3... without gaps", m.Name)
		}
	}
	return out, nil
}

// SchemaVersion is the newest embedded migration's version.
func SchemaVersion() int {
	ms, _ := Migrations()
	return len(ms)
}

// schemaMigrationsDDL creates the table that records applied migrations.
const schemaMigrationsDDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INT          NOT NULL,
	name       VARCHAR(255) NOT NULL,
	checksum   CHAR(64)     NOT NULL,
	applied_at DATETIME(6)  NOT NULL,
	PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`

// migrateLock serialises hallqds of several halls migrating one database.
const migrateLock = "hallq_schema_migrations"

// Migrate applies every embedded migration the database lacks, in order.
func Migrate(ctx context.Context, db *sql.DB, log zerolog.Logger) error {
	return MigrateTo(ctx, db, SchemaVersion(), log)
}

// MigrateTo applies the embedded migrations up to and including version, in
// order, recording each in schema_migrations. Migrations only add: they never
// drop or rewrite data. A database newer than this hallqd is used as it is.
func MigrateTo(ctx context.Context, db *sql.DB, version int, log zerolog.Logger) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	unlock, err := lockSchema(ctx, conn)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := conn.ExecContext(ctx, schemaMigrationsDDL); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied := map[int]string{}
	rows, err := conn.QueryContext(ctx, "SELECT version, checksum FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		applied[v] = sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for v := range applied {
		if v > len(ms) {
			log.Warn().Int("database", v).Int("hallqd", len(ms)).
				Msg("mysql schema is newer than this hallqd; migrations only add, so replication goes on")
			break
		}
	}
	for _, m := range ms {
		if m.Version > version {
			break
		}
		sum := checksum(m.SQL)
		if old, ok := applied[m.Version]; ok {
			if old != sum {
				log.Warn().Str("migration", m.Name).Msg("mysql migration changed after it was applied; the applied version stands")
			}
			continue
		}
		if err := apply(ctx, conn, m, log); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "INSERT IGNORE INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
			m.Version, m.Name, sum, time.Now().UTC()); err != nil {
			return fmt.Errorf("migrate: record %s: %w", m.Name, err)
		}
		log.Info().Str("migration", m.Name).Msg("mysql schema migrated")
	}
	return nil
}

// lockSchema takes the advisory lock that keeps two hallqds from migrating
// at once. A server without GET_LOCK is migrated without it: every statement
// is idempotent anyway.
func lockSchema(ctx context.Context, conn *sql.Conn) (func(), error) {
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 60)", migrateLock).Scan(&got); err != nil {
		return func() {}, nil
	}
	if got.Valid && got.Int64 != 1 {
		return nil, errors.New("migrate: another hallqd has been migrating the mysql schema for 60 s")
	}
	return func() { conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", migrateLock) }, nil
}

// apply runs one migration's statements. DDL commits implicitly in MySQL, so
// a migration cut short is run again from its first statement: an object
// that already exists counts as created.
func apply(ctx context.Context, conn *sql.Conn, m Migration, log zerolog.Logger) error {
	for _, stmt := range splitStatements(m.SQL) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			if alreadyDone(err) {
				log.Info().Str("migration", m.Name).Err(err).Msg("mysql migration statement already applied")
				continue
			}
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

// alreadyDone reports the errors of a DDL statement whose effect is there:
// table exists (1050), duplicate column (1060), duplicate key name (1061).
func alreadyDone(err error) bool {
	var me *gomysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	return me.Number == 1050 || me.Number == 1060 || me.Number == 1061
}

// splitStatements splits a migration file into statements. Statements end
// with ";" at the end of a line; lines starting with "--" are comments.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			s := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			out = append(out, s)
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func checksum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
