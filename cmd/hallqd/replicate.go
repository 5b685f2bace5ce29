package main

import (
	"context"
	"time"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/store/mysql"
)

// finalSyncTimeout bounds the last copy to MySQL when hallqd stops, well
// inside the 10 s a SIGTERM allows (CONTRACT §4).
const finalSyncTimeout = 3 * time.Second

// startReplication starts copying the journal to MySQL when storage.mysql_dsn
// is set. It never waits for MySQL: a hall whose MySQL is down starts and
// works, and the copy catches up when MySQL is back.
func (m *Main) startReplication(ctx context.Context) error {
	cfg := m.Config
	dsn := cfg.Storage.MySQLDSN
	if dsn == "" {
		return nil
	}
	log := m.Log.With().Str("component", "mysql").Str("mysql", mysql.Describe(dsn)).Logger()
	rep, err := mysql.New(mysql.Config{DSN: dsn, Hall: cfg.Hall.ID, Journal: m.Journal, Catalog: replicationCatalog(cfg),
		Log: log, Registerer: m.Registry})
	if err != nil {
		return &config.Error{File: cfg.File, Key: "storage.mysql_dsn", Problem: err.Error()}
	}
	runCtx, cancel := context.WithCancel(context.Background()) // stopped by the closer, after the last requests
	done := make(chan struct{})
	go func() {
		defer close(done)
		rep.Run(runCtx)
	}()
	m.Hall.Subscribe(func(hall.Batch) { rep.Notify() }) // never blocks the writer
	m.checks = append(m.checks, httpapi.Check{Name: "mysql", Fn: rep.Ready})
	m.closers = append(m.closers, func() error {
		cancel()
		<-done
		sctx, stop := context.WithTimeout(context.Background(), finalSyncTimeout)
		defer stop()
		if err := rep.Sync(sctx); err != nil {
			n, _ := rep.Lag()
			log.Warn().Err(err).Int64("lag_events", n).Msg("last copy to mysql failed; it catches up at the next start")
		}
		return rep.Close()
	})
	log.Info().Msg("replicating the journal to mysql")
	return nil
}

// replicationCatalog is what MySQL learns about the hall from its config:
// no device secrets, no passwords.
func replicationCatalog(cfg *config.Config) mysql.Catalog {
	c := mysql.CatalogOf(cfg.Spec())
	for _, s := range cfg.Staff {
		c.Staff = append(c.Staff, mysql.Staff{ID: s.ID, Name: s.Name, Role: s.Role})
	}
	return c
}
