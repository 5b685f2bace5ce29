package main

import (
	"context"
	"time"

	"github.com/hallq/hallq/store"
)

// projectEvery is how often the projections catch up with the journal. They
// are for reports, not for replies, so they trail by up to this long: one
// larger transaction a second costs far less than one per group commit.
const projectEvery = time.Second

// startProjector keeps the journal's queryable projections up to date in the
// background, never blocking the hall.
func (m *Main) startProjector() {
	p := store.NewProjector(m.Journal, m.Config.Hall.ID)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(projectEvery)
		defer tick.Stop()
		for {
			if _, err := p.Sync(ctx); err != nil && ctx.Err() == nil {
				m.Log.Warn().Err(err).Msg("projections lag behind the journal; will retry")
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	m.closers = append(m.closers, func() error {
		cancel()
		<-done
		_, err := p.Sync(context.Background()) // catch up before the journal closes
		return err
	})
}
