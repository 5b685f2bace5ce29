package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/store"
)

func init() { subcommands["integration-token"] = integrationToken }

// integrationToken prints a new random integration token and the
// token_hash line for the config (docs/appointments.md).
func integrationToken(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return &usageError{"usage: hallqd integration-token"}
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("make a token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	fmt.Printf("token:      %s\ntoken_hash: %q\n", tok, config.HashToken(tok))
	return nil
}

// wireAppointments gives the API the configured integrations and the case
// index behind the public case lookup.
func (m *Main) wireAppointments(cfg *httpapi.Config) error {
	for _, in := range m.Config.Integrations {
		cfg.Integrations = append(cfg.Integrations, httpapi.Integration{ID: in.ID, Hashes: in.Hashes(), Roles: in.Roles})
	}
	x, err := store.NewCaseIndex(m.Journal)
	if err != nil {
		return fmt.Errorf("storage.dir %s: %w", m.Config.Storage.Dir, err)
	}
	m.startCaseIndex(x)
	cfg.CaseLookup = func(ctx context.Context, caseNo, ticketID string) (*httpapi.CaseRecord, error) {
		// today's cases come from the hall; the index trails by projectEvery
		f, err := x.Lookup(ctx, caseNo, ticketID)
		if err != nil || f == nil {
			return nil, err
		}
		rec := &httpapi.CaseRecord{CaseNo: f.CaseNo, TicketID: f.TicketID, Ticket: f.Ticket, Day: f.Day, Service: f.Service,
			Kind: f.Kind, Counter: f.Counter, FinishedAt: f.FinishedAt}
		if f.PromisedDate != "" {
			rec.PromisedDate = &f.PromisedDate
		}
		if f.LeadCounter != "" {
			rec.LeadCounter = &f.LeadCounter
		}
		return rec, nil
	}
	return nil
}

// startCaseIndex keeps the case index up to date in the background.
func (m *Main) startCaseIndex(x *store.CaseIndex) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(projectEvery)
		defer tick.Stop()
		for {
			if _, err := x.Sync(ctx); err != nil && ctx.Err() == nil {
				m.Log.Warn().Err(err).Msg("case index lags behind the journal; will retry")
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
		return nil
	})
}
