package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/rowsql"
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
	// Earlier days' cases come from the report rows of the one fold (the
	// projector keeps them within projectEvery of the journal); today's from
	// the hall itself.
	rows := report.NewSource(m.Journal.DB(), rowsql.SQLite, m.Hall.Spec())
	cfg.CaseLookup = func(ctx context.Context, caseNo, ticketID string) (*httpapi.CaseRecord, error) {
		f, err := rows.FindCase(ctx, caseNo, ticketID)
		if err != nil || f == nil {
			return nil, err
		}
		rec := &httpapi.CaseRecord{CaseNo: f.CaseNo, TicketID: f.TicketID, Ticket: f.Ticket, Day: f.Day, Service: f.Service,
			Kind: f.Kind, Counter: f.Counter, FinishedAt: f.FinishedAt, FiledUpward: f.Kind == queue.CaseReferred}
		if f.PromisedDate != "" {
			rec.PromisedDate = &f.PromisedDate
		}
		return rec, nil
	}
	return nil
}
