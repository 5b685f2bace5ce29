package hall

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

const testYAML = `
hall: {id: t, name: {zh: 测试中心, en: Test}}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}}
  - {id: housing, prefix: B, name: {zh: 公积金, en: Housing}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social, housing]}
  - {id: "2", name: {zh: 2号窗口, en: Window 2}, services: [social]}
  - {id: "3", name: {zh: 3号窗口, en: Window 3}, services: [housing]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: x}
`

func testSpec(tb testing.TB) *queue.Spec {
	tb.Helper()
	c, err := config.Parse("test.yaml", []byte(testYAML))
	if err != nil {
		tb.Fatal(err)
	}
	return c.Spec()
}

// MustOpenHall opens a hall on dir and closes it (and its journal) after the test.
func MustOpenHall(tb testing.TB, dir string, sp *queue.Spec) (*Hall, *store.Journal) {
	tb.Helper()
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		tb.Fatal(err)
	}
	h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop()})
	if err != nil {
		j.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close(); j.Close() })
	return h, j
}

func do(tb testing.TB, h *Hall, source, reqID string, cmd queue.Command) Reply {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.Do(ctx, Request{Source: source, ReqID: reqID, Cmd: cmd})
}

func stateJSON(tb testing.TB, h *Hall) string {
	tb.Helper()
	var out string
	if err := h.Query(context.Background(), func(s *queue.State) { out = encode(s) }); err != nil {
		tb.Fatal(err)
	}
	return out
}

func mustJournal(tb testing.TB, sp *queue.Spec) *store.Journal {
	tb.Helper()
	j, err := store.Open(tb.TempDir(), sp.HallID, zerolog.Nop())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.Close() })
	return j
}

// mustJournalAt opens the journal in dir; it closes after the test.
func mustJournalAt(tb testing.TB, dir string, sp *queue.Spec) *store.Journal {
	tb.Helper()
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.Close() })
	return j
}
