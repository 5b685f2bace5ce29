package main

import (
	"context"
	"database/sql"
	"time"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/rowsql"
	"github.com/hallq/hallq/store/mysql"
)

// settleEvery is how often closed days get their report rollups.
const settleEvery = time.Minute

// reports wires the management reports (CONTRACT §5): the report rows of the
// local store and, with storage.mysql_dsn, MySQL's (?source=mysql), read
// through a pool of their own so reports never slow the replicator. Each side
// settles its closed days' rollups in the background (docs/reports.md).
func (m *Main) reports() (*httpapi.Reports, error) {
	spec := m.Config.Spec()
	r := &httpapi.Reports{Local: report.NewSource(m.Journal.DB(), rowsql.SQLite, spec)}
	m.settle(r.Local, m.Journal.WriteDB())
	if dsn := m.Config.Storage.MySQLDSN; dsn != "" {
		db, err := mysql.Open(dsn, m.Log)
		if err != nil {
			return nil, &config.Error{File: m.Config.File, Key: "storage.mysql_dsn", Problem: err.Error()}
		}
		db.SetMaxOpenConns(2)
		m.closers = append(m.closers, db.Close)
		r.MySQL = report.NewSource(db, rowsql.MySQL, spec)
		m.settle(r.MySQL, db)
	}
	return r, nil
}

// settle runs src's rollup settling until shutdown, writing through w.
func (m *Main) settle(src *report.Source, w *sql.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.RunSettle(ctx, w, settleEvery, m.Log.With().Str("reports", src.Dialect.String()).Logger())
	}()
	m.closers = append(m.closers, func() error {
		cancel()
		<-done
		return nil
	})
}
