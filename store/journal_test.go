package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
)

// MustOpenJournal opens a journal in a temp dir and closes it after the test.
func MustOpenJournal(tb testing.TB, dir string, log zerolog.Logger) *Journal {
	tb.Helper()
	j, err := Open(dir, "t", log)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.Close() })
	return j
}

func events(from int64, n int) []queue.Event {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var evs []queue.Event
	for i := 0; i < n; i++ {
		evs = append(evs, queue.Event{Seq: from + int64(i), Kind: queue.EvNoticeSet, At: at, Text: &queue.Name{Zh: "x"}})
	}
	return evs
}

func replayAll(t *testing.T, j *Journal) []int64 {
	t.Helper()
	var seqs []int64
	if err := j.Replay(0, func(e *queue.Event) error { seqs = append(seqs, e.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	return seqs
}

func TestJournal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		j := MustOpenJournal(t, dir, zerolog.Nop())
		if err := j.Append(events(1, 3), []Request{{Source: "dev:k", ReqID: "r1", At: time.Now(), Seq: 3, Response: []byte(`{"ok":true}`)}}); err != nil {
			t.Fatal(err)
		}
		if err := j.Append(events(4, 2), nil); err != nil {
			t.Fatal(err)
		}
		j.Close()
		j = MustOpenJournal(t, dir, zerolog.Nop())
		if got, want := j.LastSeq(), int64(5); got != want {
			t.Fatalf("last seq = %d, want %d", got, want)
		}
		if got := replayAll(t, j); len(got) != 5 || got[4] != 5 {
			t.Fatalf("replayed %v", got)
		}
		var n int
		j.Requests(time.Now().Add(-time.Hour), func(r Request) { n++ })
		if n != 1 {
			t.Fatalf("requests = %d, want 1", n)
		}
	})
	t.Run("ErrGap", func(t *testing.T) {
		j := MustOpenJournal(t, t.TempDir(), zerolog.Nop())
		if err := j.Append(events(2, 1), nil); err == nil {
			t.Fatal("append with a gap succeeded")
		}
	})
	t.Run("ErrOtherHall", func(t *testing.T) {
		dir := t.TempDir()
		MustOpenJournal(t, dir, zerolog.Nop()).Close()
		_, err := Open(dir, "other", zerolog.Nop())
		if err == nil || !strings.Contains(err.Error(), `belongs to hall "t"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrDamagedFile", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "journal.db"), bytes.Repeat([]byte("not a database "), 500), 0o644)
		_, err := Open(dir, "t", zerolog.Nop())
		if err == nil || !strings.Contains(err.Error(), "journal.db") {
			t.Fatalf("err = %v, want an error naming the file", err)
		}
	})
}

// TestTornTail damages the last batch in the ways a torn write could and
// checks it is dropped with a log line while earlier batches stay.
func TestTornTail(t *testing.T) {
	damage := map[string]string{
		"ChecksumMismatch": "UPDATE events SET data = '{\"kind\":\"notice.set\"}' WHERE seq = 5",
		"MissingEndMark":   "DELETE FROM events WHERE seq = 5",
		"MissingMiddleRow": "DELETE FROM events WHERE seq = 4",
	}
	for name, sql := range damage {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			j := MustOpenJournal(t, dir, zerolog.Nop())
			j.Append(events(1, 2), nil)
			j.Append(events(3, 3), []Request{{Source: "s", ReqID: "late", At: time.Now(), Seq: 5, Response: []byte("{}")}})
			if _, err := j.WriteDB().Exec(sql); err != nil {
				t.Fatal(err)
			}
			j.Close()
			var logged bytes.Buffer
			j = MustOpenJournal(t, dir, zerolog.New(&logged))
			if got := replayAll(t, j); len(got) != 2 {
				t.Fatalf("after dropping the torn batch replayed %v, want seqs 1-2", got)
			}
			if !strings.Contains(logged.String(), "dropping the incomplete last batch") {
				t.Fatalf("no log line about the dropped batch: %q", logged.String())
			}
			var n int
			j.Requests(time.Now().Add(-time.Hour), func(Request) { n++ })
			if n != 0 {
				t.Fatal("the dropped batch's idempotency record survived")
			}
			if err := j.Append(events(3, 1), nil); err != nil {
				t.Fatalf("append after recovery: %v", err)
			}
		})
	}
	t.Run("ErrCorruptEarlierBatch", func(t *testing.T) {
		dir := t.TempDir()
		j := MustOpenJournal(t, dir, zerolog.Nop())
		j.Append(events(1, 2), nil)
		j.Append(events(3, 2), nil)
		j.WriteDB().Exec("UPDATE events SET data = '{\"kind\":\"x\"}' WHERE seq = 1")
		err := j.Replay(0, func(*queue.Event) error { return nil })
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err = %v, want ErrCorrupt", err)
		}
	})
}

func TestMigrationsAreRecorded(t *testing.T) {
	j := MustOpenJournal(t, t.TempDir(), zerolog.Nop())
	var v int
	j.DB().QueryRow("PRAGMA user_version").Scan(&v)
	if got, want := v, SchemaVersion(); got != want {
		t.Fatalf("user_version = %d, want %d", got, want)
	}
}

// TestTicketIDsUnique: the journal itself refuses a second ticket.issued for
// the same ticket id (docs/robustness.md), whatever the writer decides.
func TestTicketIDsUnique(t *testing.T) {
	j := MustOpenJournal(t, t.TempDir(), zerolog.Nop())
	ev := func(seq int64, id string) queue.Event {
		return queue.Event{Seq: seq, Kind: queue.EvTicketIssued, TicketID: id, Ticket: "A001", Service: "social"}
	}
	if err := j.Append([]queue.Event{ev(1, "2026-11-23-A001")}, nil); err != nil {
		t.Fatal(err)
	}
	if err := j.Append([]queue.Event{ev(2, "2026-11-23-A001")}, nil); err == nil {
		t.Fatal("a second ticket.issued for 2026-11-23-A001 was stored")
	}
	if err := j.Append([]queue.Event{ev(2, "2026-11-24-A001")}, nil); err != nil {
		t.Fatalf("the next append after the refusal: %v", err)
	}
}
