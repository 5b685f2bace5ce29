package main

import (
	"context"
	"time"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/store"
)

// startProjector keeps the journal's queryable projections up to date in the
// background: woken by every durable batch, never blocking the hall.
func (m *Main) startProjector() {
	p := store.NewProjector(m.Journal)
	wake := make(chan struct{}, 1)
	m.Hall.Subscribe(func(hall.Batch) {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			if _, err := p.Sync(ctx); err != nil && ctx.Err() == nil {
				m.Log.Warn().Err(err).Msg("projections lag behind the journal; will retry")
			}
			select {
			case <-ctx.Done():
				return
			case <-wake:
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
