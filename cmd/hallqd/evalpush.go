package main

import (
	"context"
	"path/filepath"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/evalpush"
	"github.com/hallq/hallq/hall"
)

// startEvalPush starts delivering ratings and case outcomes to the
// provincial 好差评 platform when evaluation.push_url is set
// (docs/evaluation.md). Like replication, it never waits for the endpoint.
func (m *Main) startEvalPush() error {
	ev := m.Config.Evaluation
	if ev.PushURL == "" {
		return nil
	}
	log := m.Log.With().Str("component", "evalpush").Logger()
	p, err := evalpush.New(evalpush.Config{URL: ev.PushURL, Token: ev.PushToken, Target: ev.PushLevels, Spec: m.Hall.Spec(),
		Journal: m.Journal, LastSeq: func() int64 { return m.Hall.View().Seq },
		CursorPath: filepath.Join(m.Config.Storage.Dir, "evalpush.cursor"), Log: log, Registerer: m.Registry})
	if err != nil {
		return &config.Error{File: m.Config.File, Key: "evaluation.push_url", Problem: err.Error()}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	m.Hall.Subscribe(func(hall.Batch) { p.Notify() })
	m.details = append(m.details, detail{"evalpush", func() any { return p.Status() }})
	m.closers = append(m.closers, func() error {
		cancel()
		<-done
		return nil
	})
	log.Info().Str("url", ev.PushURL).Msg("pushing ratings to the provincial 好差评 platform")
	return nil
}

// detail is one part of /readyz's detail that never fails readiness.
type detail struct {
	name string
	fn   func() any
}

// readyDetails gathers the details for /readyz.
func (m *Main) readyDetails() map[string]any {
	out := map[string]any{}
	for _, d := range m.details {
		out[d.name] = d.fn()
	}
	return out
}
