package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

// startMain runs a whole hallqd in the test process on the config at path.
func startMain(t *testing.T, path string) *Main {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: zerolog.Nop()}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	return m
}

func snapshotJSON(t *testing.T, m *Main) string {
	t.Helper()
	b, err := json.Marshal(hall.SnapshotOf(m.Hall.View()))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReplicateThenRestore runs hallqd with storage.mysql_dsn against a real
// MariaDB, waits until MySQL holds the whole journal, wipes the data dir,
// restores it with `hallqd restore --from-mysql` and checks the hall comes
// back identical and numbering continues.
func TestReplicateThenRestore(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	path, dsn := withMySQL(t, dir, "restore_e2e", fmt.Sprintf(crashConfig, freePort(t), freePort(t), data))

	m := startMain(t, path)
	ctx := context.Background()
	m.Hall.Do(ctx, hall.Request{Source: "t", Cmd: queue.OpenCounter{Counter: "1", StaffID: "s1"}})
	for i := 0; i < 60; i++ {
		svc := []string{"social", "housing"}[i%2]
		if rep := m.Hall.Do(ctx, hall.Request{Source: "dev:kiosk-01", ReqID: fmt.Sprintf("k%d", i), Cmd: queue.TakeTicket{Service: svc}}); !rep.OK {
			t.Fatal(rep.Error)
		}
		if i%3 == 0 {
			m.Hall.Do(ctx, hall.Request{Source: "t", Cmd: queue.CallNext{Counter: "1"}})
		}
	}
	waitReplicated(t, m, dsn)
	before := snapshotJSON(t, m)
	m2 := wipeAndRestore(t, m, path, data)
	defer m2.Close()
	if after := snapshotJSON(t, m2); after != before {
		t.Fatalf("restored hall differs:\nbefore %s\nafter  %s", before, after)
	}
	again := m2.Hall.Do(ctx, hall.Request{Source: "dev:kiosk-01", ReqID: "k0", Cmd: queue.TakeTicket{Service: "social"}})
	if !again.Repeat {
		t.Fatal("a request answered before the disk died was not answered from its restored record")
	}
	next := m2.Hall.Do(ctx, hall.Request{Source: "dev:kiosk-01", Cmd: queue.TakeTicket{Service: "social"}})
	var r queue.TicketResult
	json.Unmarshal(next.Result, &r)
	if r.Number != "A031" {
		t.Fatalf("after restore the next social number is %s, want A031", r.Number)
	}
}

// withMySQL sets storage.mysql_dsn in cfg (a test config whose storage line
// ends it, "}\n") to a new database of a throwaway MariaDB, writes it to
// dir/hall.yaml and returns its path and the dsn.
func withMySQL(t *testing.T, dir, dbName, cfg string) (path, dsn string) {
	t.Helper()
	dsn = testenv.StartMariaDB(t).NewDatabase(t, dbName)
	cfg = cfg[:len(cfg)-len("}\n")] + fmt.Sprintf(", mysql_dsn: %q}\n", dsn)
	path = filepath.Join(dir, "hall.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, dsn
}

// waitReplicated waits until MySQL at dsn holds m's whole journal.
func waitReplicated(t *testing.T, m *Main, dsn string) {
	t.Helper()
	want := m.Hall.View().Seq
	conn, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	testenv.Eventually(t, 30*time.Second, func() bool {
		var got int64
		conn.QueryRow("SELECT COALESCE(MAX(seq), 0) FROM events WHERE hall = ?", m.Config.Hall.ID).Scan(&got)
		return got == want
	}, "MySQL never held the whole journal")
}

// wipeAndRestore stops m, loses its data dir (the disk at the edge dies),
// rebuilds it with `hallqd restore --from-mysql` and starts hallqd again.
func wipeAndRestore(t *testing.T, m *Main, path, data string) *Main {
	t.Helper()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"restore", "--from-mysql", "--config", path}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	return startMain(t, path)
}
