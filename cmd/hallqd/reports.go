package main

import (
	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/rowsql"
	"github.com/hallq/hallq/store/mysql"
)

// reports wires the management reports (CONTRACT §5): the report rows of the
// local store and, with storage.mysql_dsn, MySQL's (?source=mysql), read
// through a pool of their own so reports never slow the replicator.
func (m *Main) reports() (*httpapi.Reports, error) {
	spec := m.Config.Spec()
	r := &httpapi.Reports{Local: report.NewSource(m.Journal.DB(), rowsql.SQLite, spec)}
	if dsn := m.Config.Storage.MySQLDSN; dsn != "" {
		db, err := mysql.Open(dsn, m.Log)
		if err != nil {
			return nil, &config.Error{File: m.Config.File, Key: "storage.mysql_dsn", Problem: err.Error()}
		}
		db.SetMaxOpenConns(2)
		m.closers = append(m.closers, db.Close)
		r.MySQL = report.NewSource(db, rowsql.MySQL, spec)
	}
	return r, nil
}
