package testenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

const (
	// mariadbInstallTimeout bounds mariadb-install-db.
	mariadbInstallTimeout = 3 * time.Minute
	// mariadbReadyTimeout bounds the wait for a started (or crash-recovering)
	// server to accept connections.
	mariadbReadyTimeout = 2 * time.Minute
	// mariadbDatabase is the database StartMariaDB creates and DSN names.
	mariadbDatabase = "hallq"
)

// MariaDB is a throw-away MariaDB server on 127.0.0.1 owned by one test.
type MariaDB struct {
	// DSN connects as root to the database "hallq", for go-sql-driver/mysql.
	DSN string
	// Port is the TCP port on 127.0.0.1; it stays the same across Kill and Start.
	Port int
	// DataDir is the server's data directory; it survives Kill and Start.
	DataDir string
	// Socket is the server's unix socket.
	Socket string
	// LogFile receives the server's stdout and stderr, across restarts.
	LogFile string

	tb   testing.TB // the test that started the server, for Kill's errors
	bin  string
	args []string
	dir  string

	mu   sync.Mutex
	proc *process
}

// StartMariaDB initialises a fresh data directory, starts mariadbd on a free loopback port, waits until it answers and creates the database "hallq".
func StartMariaDB(tb testing.TB) *MariaDB {
	tb.Helper()
	begin := time.Now()
	bin, err := lookBinary("mariadbd", "mysqld")
	RequireExternal(tb, "MariaDB server (mariadbd, Debian package mariadb-server)", err)
	installer, err := lookBinary("mariadb-install-db", "mysql_install_db")
	RequireExternal(tb, "MariaDB installer (mariadb-install-db, Debian package mariadb-server)", err)

	dir := tb.TempDir()
	// A unix socket path must fit in 108 bytes, which a test's TempDir
	// (named after the test) may not, so the socket gets a short directory.
	sockDir, err := os.MkdirTemp("", "hq-mdb-")
	if err != nil {
		tb.Fatalf("testenv: MariaDB: create socket directory: %v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(sockDir) })

	m := &MariaDB{
		DataDir: filepath.Join(dir, "data"),
		Socket:  filepath.Join(sockDir, "mariadb.sock"),
		LogFile: filepath.Join(dir, "mariadbd.log"),
		tb:      tb,
		bin:     bin,
		dir:     dir,
	}
	tmpDir := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmpDir, 0o700); err != nil {
		tb.Fatalf("testenv: MariaDB: create tmpdir: %v", err)
	}
	// Runs before TempDir's removal (cleanups run last-registered first),
	// so the data directory is not removed under a live server.
	tb.Cleanup(func() {
		if err := m.kill(); err != nil {
			tb.Errorf("testenv: MariaDB cleanup: %v", err)
		}
	})

	if err := m.install(installer); err != nil {
		tb.Fatalf("testenv: MariaDB: %v", err)
	}
	installed := time.Now()

	m.Port = FreePort(tb)
	m.DSN = m.dsn(mariadbDatabase)
	m.args = []string{
		"--no-defaults",
		"--datadir=" + m.DataDir,
		"--socket=" + m.Socket,
		"--pid-file=" + filepath.Join(sockDir, "mariadbd.pid"),
		"--tmpdir=" + tmpDir,
		"--port=" + strconv.Itoa(m.Port),
		"--bind-address=127.0.0.1",
		"--skip-networking=0",
		"--skip-name-resolve",
		// With --no-defaults the server would default to latin1, unlike
		// Debian's packaged configuration.
		"--character-set-server=utf8mb4",
		"--collation-server=utf8mb4_unicode_ci",
		"--innodb-buffer-pool-size=32M",
		"--innodb-log-file-size=48M",
		// InnoDB flushing (innodb_flush_log_at_trx_commit, flush method,
		// doublewrite) stays at the defaults: outage tests rely on
		// committed rows surviving SIGKILL.
	}
	if os.Geteuid() == 0 {
		m.args = append(m.args, "--user=root")
	}
	m.start(tb)

	if err := m.exec(fmt.Sprintf("CREATE DATABASE IF NOT EXISTS `%s`", mariadbDatabase)); err != nil {
		tb.Fatalf("testenv: MariaDB: %v\n%s", err, tailFile(m.LogFile))
	}
	tb.Logf("testenv: MariaDB ready on 127.0.0.1:%d in %v (install-db %v)", m.Port,
		time.Since(begin).Round(time.Millisecond), installed.Sub(begin).Round(time.Millisecond))
	return m
}

// install runs mariadb-install-db into m.DataDir.
func (m *MariaDB) install(installer string) error {
	ctx, cancel := context.WithTimeout(context.Background(), mariadbInstallTimeout)
	defer cancel()
	args := []string{
		"--no-defaults",
		"--datadir=" + m.DataDir,
		"--auth-root-authentication-method=normal",
		"--skip-test-db",
		"--skip-name-resolve",
		"--innodb-buffer-pool-size=32M",
		"--innodb-log-file-size=48M",
	}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	cmd := exec.CommandContext(ctx, installer, args...)
	cmd.Dir = m.dir
	out, err := cmd.CombinedOutput()
	if werr := os.WriteFile(filepath.Join(m.dir, "install-db.log"), out, 0o644); werr != nil && err == nil {
		return fmt.Errorf("save mariadb-install-db output: %w", werr)
	}
	if err != nil {
		return fmt.Errorf("%s %v: %w\n%s", installer, args, err, tailString(out))
	}
	return nil
}

// dsn returns the DSN for database name on this server.
func (m *MariaDB) dsn(name string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?parseTime=true&multiStatements=true", m.Port, name)
}

// Kill SIGKILLs the server and waits for it to exit, to simulate a crash or outage; the data directory is kept for Start.
func (m *MariaDB) Kill() {
	if err := m.kill(); err != nil {
		m.tb.Errorf("testenv: MariaDB: %v", err)
	}
}

func (m *MariaDB) kill() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.proc == nil {
		return nil
	}
	err := m.proc.stop(syscall.SIGKILL, killWait)
	m.proc = nil
	return err
}

// Start restarts a killed server on the same data directory and port and waits until it accepts connections (after crash recovery).
func (m *MariaDB) Start(tb testing.TB) {
	tb.Helper()
	begin := time.Now()
	m.start(tb)
	tb.Logf("testenv: MariaDB restarted on 127.0.0.1:%d in %v", m.Port, time.Since(begin).Round(time.Millisecond))
}

func (m *MariaDB) start(tb testing.TB) {
	tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.proc != nil && !m.proc.exited() {
		tb.Fatalf("testenv: MariaDB: Start called while the server (pid %d) is running", m.proc.cmd.Process.Pid)
	}
	p, err := startProcess(m.dir, m.LogFile, m.bin, m.args...)
	if err != nil {
		tb.Fatalf("testenv: MariaDB: %v", err)
	}
	m.proc = p
	if err := m.waitReady(p); err != nil {
		tb.Fatalf("testenv: MariaDB on 127.0.0.1:%d not ready: %v\n%s", m.Port, err, tailFile(m.LogFile))
	}
}

// waitReady polls the server over TCP until a ping succeeds, the process
// exits, or mariadbReadyTimeout passes.
func (m *MariaDB) waitReady(p *process) error {
	db, err := m.open("")
	if err != nil {
		return err
	}
	defer db.Close()
	var last error
	err = poll(mariadbReadyTimeout, func() (bool, error) {
		if p.exited() {
			return false, fmt.Errorf("mariadbd exited: %w", p.exitError())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		last = db.PingContext(ctx)
		return last == nil, nil
	})
	if errors.Is(err, errTimeout) {
		return fmt.Errorf("%w (last ping: %v)", err, last)
	}
	return err
}

// open returns a quiet connection pool as root to database name ("" for none).
func (m *MariaDB) open(name string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(m.dsn(name))
	if err != nil {
		return nil, fmt.Errorf("parse DSN: %w", err)
	}
	cfg.Timeout = 2 * time.Second
	// The driver logs refused connections while the server starts up.
	cfg.Logger = &mysql.NopLogger{}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql connector: %w", err)
	}
	return sql.OpenDB(conn), nil
}

// exec runs one administrative statement as root.
func (m *MariaDB) exec(stmt string) error {
	db, err := m.open("")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// databaseName is what NewDatabase accepts, so that it needs no quoting.
var databaseName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// NewDatabase creates an empty database name (letters, digits, underscore) on the server and returns a DSN for it in the form of DSN.
func (m *MariaDB) NewDatabase(tb testing.TB, name string) string {
	tb.Helper()
	if !databaseName.MatchString(name) {
		tb.Fatalf("testenv: MariaDB: invalid database name %q: want 1-64 letters, digits or underscores", name)
	}
	if err := m.exec(fmt.Sprintf("CREATE DATABASE `%s`", name)); err != nil {
		tb.Fatalf("testenv: MariaDB: create database: %v\n%s", err, tailFile(m.LogFile))
	}
	return m.dsn(name)
}

// tailString returns the last tailBytes of b as a string.
func tailString(b []byte) string {
	if len(b) > tailBytes {
		b = b[len(b)-tailBytes:]
	}
	return string(b)
}
