package mysql

import (
	"database/sql"
	"fmt"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/rs/zerolog"
)

// Open returns a connection pool for dsn (go-sql-driver/mysql syntax, e.g.
// "hallq:pw@tcp(db:3306)/hallq?parseTime=true") set up the way the
// replicator needs whatever the DSN says: times parsed and stored as UTC,
// parameters interpolated client-side (one round trip per statement) and
// bounded dial and I/O timeouts. It does not connect.
func Open(dsn string, log zerolog.Logger) (*sql.DB, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse mysql dsn: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = time.Minute
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = time.Minute
	}
	cfg.Logger = driverLogger{log}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql connector: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	db.SetConnMaxLifetime(5 * time.Minute)
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// Redact returns dsn with its password replaced, for logs and messages.
func Redact(dsn string) string {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "(unparsable mysql dsn)"
	}
	if cfg.Passwd != "" {
		cfg.Passwd = "xxxxx"
	}
	return cfg.FormatDSN()
}

// Describe names the server and database of dsn without any credentials.
func Describe(dsn string) string {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "(unparsable mysql dsn)"
	}
	return cfg.Net + "(" + cfg.Addr + ")/" + cfg.DBName
}

// driverLogger sends the driver's own messages (broken connections and the
// like, repeated while MySQL is down) to the debug level: the replicator
// reports failures itself.
type driverLogger struct{ log zerolog.Logger }

func (l driverLogger) Print(v ...any) {
	l.log.Debug().Msg(fmt.Sprint(v...))
}
