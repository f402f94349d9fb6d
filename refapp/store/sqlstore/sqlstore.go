// Package sqlstore is the SQLite backend of refapp's store.Store, built on the
// pure-Go modernc.org/sqlite driver: one file, WAL journal with
// synchronous=FULL (a transaction is on disk, WAL fsynced, before its call
// returns, so every 2xx the app sends survives a power loss), a busy timeout
// so concurrent writers wait instead of failing, foreign keys on, and
// embedded numbered migrations (migrations/sqlite/NNNN_name.sql) applied in
// order and recorded in the schema_migrations table.
//
// Filters (store.Cond) become WHERE fragments whose values are always bound
// parameters (filter.go); uniqueness is enforced by unique indexes inside
// each write's transaction. Every write goes through one writer connection,
// one at a time, in BEGIN IMMEDIATE transactions; reads use a bounded pool;
// statements are prepared once and kept (conn.go). Nothing is batched: each
// call is its own committed transaction.
//
// Usage:
//
//	st, err := sqlstore.Open(ctx, "/var/lib/refapp/refapp.db")
//	if err != nil { ... }
//	defer st.Close()
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/sqlite/*.sql
var migrationFS embed.FS

// Store is a store.Store on a SQLite file.
type Store struct {
	db *sql.DB

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt // prepared read statements by query text (see cached)

	// wmu guards the writer: one connection does every write, one at a time
	// (SQLite allows one writer anyway; queuing here wakes writers at once
	// instead of polling the busy handler's sleeps, which made p99 ten times
	// worse under 8 concurrent pushes).
	wmu    sync.Mutex
	wconn  *sql.Conn
	wstmts map[string]*sql.Stmt // prepared on wconn, including BEGIN and COMMIT

	// qmu guards queue: the transactions waiting for the writer, run together by the next one to get
	// it (group commit, see inTx).
	qmu   sync.Mutex
	queue []*txItem
}

// maxConns bounds the pool: the writer plus readers.
const maxConns = 16

// maxCachedStmts bounds the statement cache; filters of unusual shapes past it are prepared each time.
const maxCachedStmts = 512

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open sqlite store: empty path")
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	// Keep connections (and the statements prepared on them) instead of
	// closing all but two after each burst; bound them, each has a page cache.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, stmts: map[string]*sql.Stmt{}}
	if err := s.resetWriter(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return s, nil
}

// Close closes the prepared statements, the writer connection and the database.
func (s *Store) Close() error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = map[string]*sql.Stmt{}
	s.mu.Unlock()
	s.wmu.Lock()
	s.closeWriter()
	s.wmu.Unlock()
	return s.db.Close()
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/sqlite/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, path string) error {
	base := path[strings.LastIndex(path, "/")+1:]
	var version int
	if _, err := fmt.Sscanf(base, "%04d_", &version); err != nil {
		return fmt.Errorf("migration %s: name must start with a 4-digit number: %w", base, err)
	}
	body, err := migrationFS.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read migration %s: %w", base, err)
	}
	return s.inTx(ctx, func(tx querier) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return fmt.Errorf("check migration %s: %w", base, err)
		}
		if n > 0 {
			return nil
		}
		if _, err := s.wconn.ExecContext(ctx, string(body)); err != nil { // several statements: not prepared
			return fmt.Errorf("apply migration %s: %w", base, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			version, base, fmtTime(time.Now()))
		if err != nil {
			return fmt.Errorf("record migration %s: %w", base, err)
		}
		return nil
	})
}

// mapErr turns driver errors into the store's sentinel errors.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w", op, store.ErrConflict)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t, nil
}

func key(s string) string { return strings.ToLower(s) }
